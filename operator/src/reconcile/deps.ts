// What a reconcile pass is given: caches, readers and writers, and the operator's settings. The
// pass itself is reconciler.ts.
import type { Logger } from 'pino';
import type { ProviderName } from '../api/index.ts';
import type { Caches, CanaryObject } from '../controller.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { Router } from '../routers/index.ts';
import type { Metrics } from '../runtime/metrics.ts';
import type { Target } from '../workloads/workload-target.ts';
import type { AlertSources } from './alerts.ts';
import type { CheckSources } from './checks.ts';
import type { Finalizers } from './finalizer.ts';
import type { StatusWriter } from './status-writer.ts';

export interface ReconcilerDeps {
  caches: Caches;
  /**
   * The Canary to decide on: never older than this operator's own last write of it (the informer
   * cache alone may not have seen the status written a moment ago). `fresh` asks the API server:
   * a retry after a conflict must not decide on the copy that lost.
   */
  read: (namespace: string, name: string, fresh: boolean) => Promise<CanaryObject | undefined>;
  target: Target;
  router: (provider: string) => Router;
  events: EventRecorder;
  status: StatusWriter;
  finalizers: Finalizers;
  checks: Omit<CheckSources, 'metricTemplate' | 'secret'>;
  metrics: Metrics;
  log: Logger;
  now: () => Date;
  /** Only the leader writes; a pass that finds itself demoted stops before acting. */
  isLeader: () => boolean;
  /** Alert delivery; injectable for tests (the operator uses analysis' sendAlert). */
  sendAlert?: AlertSources['send'];
  /** A pass still running after this long stops at its next effect and is retried with backoff. */
  passTimeoutMs?: number;
  /** The provider of Canaries that name none (Flagger's -mesh-provider). */
  meshProvider?: ProviderName | undefined;
  /** Refuse references to other namespaces' MetricTemplates and AlertProviders (a Stalled Canary). */
  noCrossNamespaceRefs?: boolean;
  /** Whether the API server serves a kind; without it every router's kinds are assumed served. */
  served?: (apiVersion: string, kind: string) => Promise<boolean>;
}

export type ReconcileResult = { requeueAfterMs?: number };
