import { describe, expect, it } from 'vitest';
import { sameJson, withOwner, withoutOwner } from '../../../operator/src/routers/object-meta.ts';
import { owner, ownerRef } from './target.ts';

describe('sameJson', () => {
  it.each<[unknown, unknown, boolean]>([
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [[1, 2], [2, 1], false],
    [{ a: { b: '1' } }, { a: { b: 1 } }, false],
    [{ a: [] }, { a: undefined }, false],
    [null, {}, false],
    ['x', 'x', true],
  ])('%j vs %j -> %s', (a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
  });
});

describe('owner references', () => {
  const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' };
  it.each([
    ['adds itself as controller', undefined, [ownerRef]],
    ['keeps other owners', [other], [other, ownerRef]],
    [
      'refreshes its own entry in place',
      [{ ...ownerRef, name: 'old', controller: false }, other],
      [ownerRef, other],
    ],
    [
      'is no controller beside another controller',
      [{ ...other, controller: true }],
      [
        { ...other, controller: true },
        { ...ownerRef, controller: false },
      ],
    ],
  ])('%s', (_name, refs, expected) => {
    expect(withOwner(refs, owner)).toEqual(expected);
  });

  it('withoutOwner removes only its own entry, and the field when empty', () => {
    expect(withoutOwner([other, ownerRef], owner.uid)).toEqual([other]);
    expect(withoutOwner([ownerRef], owner.uid)).toBeUndefined();
  });
});
