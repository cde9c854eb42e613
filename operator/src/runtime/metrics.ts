import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { cliVersion } from './package-root.ts';

/** Seconds, for operations that take at least a few milliseconds (passes, API requests). */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds, for waits that are usually none at all (the queue, the rate limiter). */
const waitBuckets = [0.001, ...latencyBuckets];

/** The operator's own Prometheus metrics, on an injected registry (no global singletons). */
export function createMetrics(registry = new Registry()) {
  // prom-client names them process_* and nodejs_*: with this prefix fledge_process_cpu_seconds_total.
  collectDefaultMetrics({ register: registry, prefix: 'fledge_' });
  const labelNames = ['namespace', 'name'] as const;
  const buildInfo = new Gauge({
    name: 'fledge_build_info',
    help: 'Always 1; the labels say which fledge and which Node.js run',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  });
  buildInfo.set({ version: cliVersion(), node_version: process.versions.node }, 1);
  return {
    registry,
    releases: new Counter({
      name: 'fledge_canary_releases_total',
      help: 'Finished releases by result (succeeded, failed) and, for failed ones, why (threshold, progressDeadline, rollbackWebhook, aborted)',
      labelNames: [...labelNames, 'result', 'reason'],
      registers: [registry],
    }),
    releaseDuration: new Histogram({
      name: 'fledge_canary_release_duration_seconds',
      help: 'Time from a new revision to its promotion or rollback',
      labelNames: [...labelNames, 'result'],
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400],
      registers: [registry],
    }),
    phase: new Gauge({
      name: 'fledge_canary_phase_info',
      help: 'Current phase of each canary (1 for the current phase)',
      labelNames: [...labelNames, 'phase'],
      registers: [registry],
    }),
    weight: new Gauge({
      name: 'fledge_canary_weight',
      help: 'Traffic weight routed to the canary, 0-100',
      labelNames,
      registers: [registry],
    }),
    failedChecks: new Gauge({
      name: 'fledge_canary_failed_checks',
      help: 'Failed checks of the current release',
      labelNames,
      registers: [registry],
    }),
    checkValue: new Gauge({
      name: 'fledge_canary_metric_analysis',
      help: 'Last value of each metric check (NaN when inconclusive)',
      labelNames: [...labelNames, 'metric'],
      registers: [registry],
    }),
    checkResults: new Counter({
      name: 'fledge_canary_metric_checks_total',
      help: 'Metric checks by verdict',
      labelNames: [...labelNames, 'metric', 'verdict'],
      registers: [registry],
    }),
    reconciles: new Counter({
      name: 'fledge_reconcile_total',
      help: 'Reconcile passes by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'fledge_reconcile_duration_seconds',
      help: 'Duration of reconcile passes',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'fledge_workqueue_queue_duration_seconds',
      help: 'How long a canary waited in the work queue before a worker took it',
      buckets: waitBuckets,
      registers: [registry],
    }),
    apiRequests: new Histogram({
      name: 'fledge_kubernetes_request_duration_seconds',
      help: 'Kubernetes API request latency (not watches), by HTTP method',
      labelNames: ['verb'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
    apiThrottle: new Histogram({
      name: 'fledge_kubernetes_client_rate_limiter_duration_seconds',
      help: "How long Kubernetes API requests waited for the client's rate limiter (QPS and burst)",
      buckets: waitBuckets,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'fledge_workqueue_depth',
      help: 'Keys waiting in the work queue',
      registers: [registry],
    }),
    apiErrors: new Counter({
      name: 'fledge_kubernetes_api_errors_total',
      help: 'Kubernetes API and watch errors',
      labelNames: ['source'],
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'fledge_alerts_total',
      help: 'Alerts by provider type and result: sent, failed (delivery), unresolved (provider, Secret or address)',
      labelNames: ['type', 'result'],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'fledge_leader',
      help: '1 while this replica is the leader',
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Drops the canary gauges of every canary: a replica that loses the lease stops reporting phases
 * and weights it no longer decides, so dashboards follow the leader alone. Counters stay (they
 * only ever grow, and Prometheus sums them across replicas).
 */
export function forgetCanaryGauges(m: Metrics): void {
  for (const gauge of [m.phase, m.weight, m.failedChecks, m.checkValue]) gauge.reset();
}

/**
 * Drops every series a deleted canary wrote (all its phases, metrics and verdicts), so /metrics
 * does not report it forever. prom-client removes a series only by its full label set, so the
 * series are looked up by their namespace and name labels first.
 */
export async function forgetCanary(m: Metrics, namespace: string, name: string): Promise<void> {
  for (const metric of [
    m.phase,
    m.weight,
    m.failedChecks,
    m.checkValue,
    m.checkResults,
    m.releases,
    m.releaseDuration,
  ]) {
    const { values } = await metric.get();
    for (const v of values) {
      if (v.labels['namespace'] === namespace && v.labels['name'] === name) metric.remove(v.labels as never);
    }
  }
}
