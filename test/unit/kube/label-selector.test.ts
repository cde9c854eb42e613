import { describe, expect, it } from 'vitest';
import { matchesSelector, parseSelector, SelectorError } from '../../../operator/src/kube/label-selector.ts';

const matches = (selector: string, labels?: Record<string, string>) =>
  matchesSelector(parseSelector(selector), labels);

describe('label selectors', () => {
  it('selects everything when empty', () => {
    expect(parseSelector('  ')).toEqual([]);
    expect(matches('', undefined)).toBe(true);
  });

  it('reads equality, inequality, sets and existence as the API server does', () => {
    expect(
      parseSelector('fledge.dev/shard=a, tier==web,env!=prod,zone in (a, b),x notin (c),k,!legacy'),
    ).toEqual([
      { key: 'fledge.dev/shard', op: 'in', values: ['a'] },
      { key: 'tier', op: 'in', values: ['web'] },
      { key: 'env', op: 'notin', values: ['prod'] },
      { key: 'zone', op: 'in', values: ['a', 'b'] },
      { key: 'x', op: 'notin', values: ['c'] },
      { key: 'k', op: 'exists' },
      { key: 'legacy', op: 'absent' },
    ]);
  });

  it('matches every requirement', () => {
    expect(matches('fledge.dev/shard=a', { 'fledge.dev/shard': 'a' })).toBe(true);
    expect(matches('fledge.dev/shard=a', { 'fledge.dev/shard': 'b' })).toBe(false);
    expect(matches('fledge.dev/shard=a', {})).toBe(false);
    // != and notin also select objects without the label, as in Kubernetes.
    expect(matches('fledge.dev/shard!=a', {})).toBe(true);
    expect(matches('fledge.dev/shard notin (a,b)', { 'fledge.dev/shard': 'b' })).toBe(false);
    expect(matches('!fledge.dev/shard', { 'fledge.dev/shard': 'a' })).toBe(false);
    expect(matches('!fledge.dev/shard', undefined)).toBe(true);
    expect(matches('fledge.dev/shard', { 'fledge.dev/shard': '' })).toBe(true);
    expect(matches('app=web,fledge.dev/shard in (a,b)', { app: 'web', 'fledge.dev/shard': 'b' })).toBe(true);
    expect(matches('app=web,fledge.dev/shard in (a,b)', { app: 'api', 'fledge.dev/shard': 'b' })).toBe(false);
    // Labels are an object: its prototype's properties are not labels.
    expect(matches('!toString', { app: 'web' })).toBe(true);
    expect(matches('constructor', { app: 'web' })).toBe(false);
  });

  it.each([
    ['app=web,', 'empty requirement'],
    ['zone in (a,b', 'unbalanced parentheses'],
    ['zone in ((a))', 'unbalanced parentheses'],
    ['-bad=x', 'not a valid label key'],
    ['app=we b', 'cannot read'],
    ['app=-x', 'not a valid label value'],
    ['replicas > 2', 'cannot read'],
    ['zone in ()', 'empty value set'],
    ['Bad_Prefix/app=x', 'not a valid label key'],
  ])('refuses %j with a message saying why', (selector, why) => {
    expect(() => parseSelector(selector)).toThrow(SelectorError);
    expect(() => parseSelector(selector)).toThrow(why);
  });
});
