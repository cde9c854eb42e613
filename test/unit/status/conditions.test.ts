import { describe, expect, it } from 'vitest';
import {
  applyHealth,
  getCondition,
  setCondition,
  type Condition,
  type Health,
} from '../../../operator/src/status/conditions.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';

describe('setCondition', () => {
  const base: Condition[] = [
    {
      type: 'Ready',
      status: 'False',
      observedGeneration: 1,
      lastTransitionTime: T0,
      reason: 'Progressing',
      message: 'step 1',
    },
  ];
  it.each([
    [
      'same status, reason and message keeps the time',
      { status: false, reason: 'Progressing', message: 'step 1' },
      T0,
    ],
    ['a new message moves the time', { status: false, reason: 'Progressing', message: 'step 2' }, T1],
    ['a new reason moves the time', { status: false, reason: 'Failed', message: 'step 1' }, T1],
    ['a new status moves the time', { status: true, reason: 'Progressing', message: 'step 1' }, T1],
  ] as const)('%s', (_name, change, expected) => {
    const next = setCondition(base, { type: 'Ready', ...change }, 2, T1);
    const ready = getCondition(next, 'Ready')!;
    expect(ready.lastTransitionTime).toBe(expected);
    expect(ready.observedGeneration).toBe(2);
    expect(next).toHaveLength(1);
  });
});

describe('applyHealth keeps kstatus invariants', () => {
  const kinds: Health[] = [
    { kind: 'ready', reason: 'Succeeded', message: 'promoted' },
    { kind: 'reconciling', reason: 'Progressing', message: 'weight 10' },
    { kind: 'stalled', reason: 'TargetNotFound', message: 'Deployment shop/web not found' },
  ];
  it.each(kinds.flatMap((from) => kinds.map((to) => [from.kind, to.kind, from, to] as const)))(
    '%s -> %s',
    (_a, _b, from, to) => {
      const next = applyHealth(applyHealth([], from, 1, T0), to, 2, T1);
      const ready = getCondition(next, 'Ready');
      const reconciling = getCondition(next, 'Reconciling');
      const stalled = getCondition(next, 'Stalled');
      expect(ready?.status).toBe(to.kind === 'ready' ? 'True' : 'False');
      expect(ready?.reason).toBe(to.reason);
      expect(reconciling?.status === 'True' && stalled?.status === 'True').toBe(false);
      expect(reconciling !== undefined).toBe(to.kind === 'reconciling');
      expect(stalled !== undefined).toBe(to.kind === 'stalled');
      expect(next.every((c) => c.observedGeneration === 2)).toBe(true);
    },
  );
});
