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
