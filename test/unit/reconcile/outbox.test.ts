import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../operator/src/machine/index.ts';
import { convergence, coveredByConvergence, unpromotable } from '../../../operator/src/reconcile/outbox.ts';
import { REVISION_ANNOTATION } from '../../../operator/src/workloads/primary.ts';

const primaryAt = (revision: string) => ({ metadata: { annotations: { [REVISION_ANNOTATION]: revision } } });
const promote = { type: 'promote', params: { revision: 'r1' } } as const;

describe('unpromotable', () => {
  it('is a promote whose revision neither the target nor the primary has any more', () => {
    expect(unpromotable(promote, { revision: 'r2', primary: primaryAt('r0') })).toBe(true);
  });
  it('is not when the promote can still be applied, or already was', () => {
    expect(unpromotable(promote, { revision: 'r1', primary: primaryAt('r0') })).toBe(false);
    expect(unpromotable(promote, { revision: 'r2', primary: primaryAt('r1') })).toBe(false);
    expect(
      unpromotable({ type: 'scaleCanary', params: { replicas: 0 } }, { revision: 'r2', primary: undefined }),
    ).toBe(false);
  });
});

describe('convergence', () => {
  const context = { primaryWeight: 80, canaryWeight: 20, plan: {} } as Parameters<typeof convergence>[1];
  it('converges only the autoscaler while initializing, so the machine’s own init effects still run', () => {
    const converged = convergence('initializing', context);
    expect(converged.map((e) => e.type)).toEqual(['ensureAutoscaler']);
    const init: Effect[] = [
      { type: 'ensureServices', params: {} },
      { type: 'ensureRoutes', params: { primary: 100, canary: 0 } },
      { type: 'scaleTargetToZero', params: {} },
    ];
    for (const e of init) expect(coveredByConvergence(e, converged), e.type).toBe(false);
  });
  it('covers the replayed effects it repeats once a release runs, and nothing while deleting', () => {
    const converged = convergence('analysis.progressing', context);
    expect(converged.map((e) => e.type)).toEqual([
      'ensureServices',
      'ensureAutoscaler',
      'ensureRoutes',
      'scaleCanary',
    ]);
    expect(coveredByConvergence({ type: 'setWeights', params: { primary: 60, canary: 40 } }, converged)).toBe(
      true,
    );
    expect(coveredByConvergence({ type: 'promote', params: { revision: 'r1' } }, converged)).toBe(false);
    expect(convergence('terminating', context)).toEqual([]);
  });
});
