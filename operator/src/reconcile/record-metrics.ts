import type { CheckResult } from '../../../analysis/src/index.ts';
import type { Canary } from '../api/index.ts';
import { phases, type Step } from '../machine/index.ts';
import type { Metrics } from '../runtime/metrics.ts';

/** Mirrors one pass's outcome into the operator's Prometheus metrics. */
export function recordMetrics(
  metrics: Metrics,
  canary: Canary,
  last: Step,
  checks: readonly CheckResult[] | undefined,
): void {
  const labels = { namespace: canary.metadata.namespace ?? '', name: canary.metadata.name ?? '' };
  const c = last.persisted.context;
  metrics.weight.set(labels, c.canaryWeight);
  metrics.failedChecks.set(labels, c.failedChecks);
  for (const p of phases) {
    metrics.phase.set({ ...labels, phase: p }, p === last.phase ? 1 : 0);
  }
  for (const r of checks ?? []) {
    metrics.checkValue.set({ ...labels, metric: r.name }, r.value ?? Number.NaN);
    metrics.checkResults.inc({ ...labels, metric: r.name, verdict: r.verdict });
  }
}

/**
 * Counts a release that finished in this pass (the phase became Succeeded or Failed), once its
 * status is written: a pass that lost a write conflict is decided again and counted then.
 */
export function recordOutcome(metrics: Metrics, canary: Canary, last: Step, now: Date): void {
  const before = canary.status?.phase;
  if (before === last.phase || (last.phase !== 'Succeeded' && last.phase !== 'Failed')) return;
  const labels = { namespace: canary.metadata.namespace ?? '', name: canary.metadata.name ?? '' };
  const c = last.persisted.context;
  const result = last.phase === 'Succeeded' ? 'succeeded' : 'failed';
  metrics.releases.inc({ ...labels, result, reason: result === 'failed' ? (c.failureReason ?? '') : '' });
  if (c.releaseStartedAt !== null) {
    metrics.releaseDuration.observe(
      { ...labels, result },
      Math.max(0, now.getTime() - c.releaseStartedAt) / 1000,
    );
  }
}
