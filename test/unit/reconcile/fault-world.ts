import type { V1Deployment } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { CanaryObject } from '../../../operator/src/controller.ts';
import { WriteThrough } from '../../../operator/src/kube/write-through.ts';
import { createReconciler } from '../../../operator/src/reconcile/reconciler.ts';
import { StatusConflictError } from '../../../operator/src/reconcile/status-writer.ts';
import type { Router } from '../../../operator/src/routers/index.ts';
import { createMetrics } from '../../../operator/src/runtime/metrics.ts';
import type { Target, TargetObservation } from '../../../operator/src/workloads/workload-target.ts';
import { REVISION_ANNOTATION } from '../../../operator/src/workloads/primary.ts';
import { targetRevision } from '../../../operator/src/workloads/revision.ts';

/**
 * An in-memory world for the real reconciler (createReconciler, the real machine, the real
 * effects executor), built to break it. The API server state is exact; the informer cache of
 * Deployments lags it (synced only every `lag` passes, and fresh after a restart, as a new process
 * lists); every I/O call is an effect boundary where a fault can be injected:
 * - `crash`: the process dies before the call (a new reconciler, fresh memory, fresh caches);
 * - `lostResponse`: the call takes effect, then the process dies before it sees the answer;
 * - `error`: the call fails (a 5xx, a timeout); the pass is retried later by the same process;
 * - `metadata`: another client changes the Canary's labels just before the call (a GitOps agent).
 */
export type FaultKind = 'crash' | 'lostResponse' | 'error' | 'metadata';
export interface Fault {
  at: number;
  kind: FaultKind;
}
export type Scenario = 'good' | 'bad' | 'flapping';

class Crash extends Error {
  override name = 'Crash';
}

const clone = <T>(v: T): T => structuredClone(v);
const imageOf = (d: V1Deployment | undefined) => d?.spec?.template.spec?.containers[0]?.image;

export interface WorldOptions {
  /** The provider's CRDs are served only from this pass on (before it, the API server lacks them). */
  providerInstalledAt?: number;
}

export function createWorld(
  scenario: Scenario,
  faults: readonly Fault[],
  lag = 2,
  options: WorldOptions = {},
) {
  let rv = 100;
  const nextRv = () => String(++rv);
  let clock = Date.parse('2026-12-01T00:00:00Z');
  let boundary = 0;
  const pending = new Map(faults.map((f) => [f.at, f.kind]));

  const canary: CanaryObject & { metadata: NonNullable<CanaryObject['metadata']> } = {
    apiVersion: 'fledge.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', generation: 1, resourceVersion: nextRv() },
    spec: {
      provider: 'gatewayapi',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } as { name: string },
      service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
      analysis: {
        interval: '1m',
        threshold: 2,
        stepWeight: 20,
        maxWeight: 60,
        metrics: [
          { name: 'success-rate', templateRef: { name: 'sr' }, thresholdRange: { min: 95 }, interval: '1m' },
        ],
        alerts: [{ name: 'chat', severity: 'info', providerRef: { name: 'chat' } }],
      },
    },
  };

  // What the outside world was told, and what it saw.
  const primaryImages: string[] = [];
  const routeWrites: Array<{ primary: number; canary: number }> = [];
  let route: { primary: number; canary: number } | undefined;
  const events = new Map<string, { reason: string; message: string; count: number; keyed: boolean }>();
  const alerts: string[] = [];
  let flap = 0;
  let droppedEvents = 0;
  let dead = false;
  /** Metric queries that failed (Prometheus down): Inconclusive checks that may rightly fail a good release. */
  let failedQueries = 0;

  /** Deployments as the API server has them; a write makes the Deployment controller's status at once. */
  const api = new Map<string, V1Deployment>();
  const put = (d: V1Deployment): V1Deployment => {
    const live = api.get(d.metadata!.name!);
    const generation =
      (live?.metadata?.generation ?? 0) + (JSON.stringify(live?.spec) === JSON.stringify(d.spec) ? 0 : 1);
    const replicas = d.spec?.replicas ?? 1;
    const stored: V1Deployment = {
      ...clone(d),
      metadata: { ...clone(d.metadata), namespace: 'shop', generation, resourceVersion: nextRv() },
      status: {
        observedGeneration: generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      },
    };
    api.set(d.metadata!.name!, stored);
    if (d.metadata!.name === 'web-primary') primaryImages.push(imageOf(stored) ?? '');
    return clone(stored);
  };
  const template = (image: string) => ({
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image }] },
  });
  put({
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('web:1') },
  });
  let cache = new Map<string, V1Deployment>();
  const sync = () => (cache = new Map([...api].map(([k, v]) => [k, clone(v)])));
  sync();

  /** One effect boundary: counts it and injects the fault planned for it, if any. */
  async function io<T>(call: () => T | Promise<T>, what: 'query' | 'call' = 'call'): Promise<T> {
    // A dead process makes no more calls, whatever code caught the crash (the analysis turns a
    // provider error into an Inconclusive check; a real crash never returns there).
    if (dead) throw new Crash('the process is dead');
    const kind = pending.get(boundary++);
    if (kind === 'crash') {
      dead = true;
      throw new Crash('crash before the call');
    }
    if (kind === 'error') {
      if (what === 'query') failedQueries += 1;
      throw new Error('injected: the API server answered 500');
    }
    if (kind === 'metadata') {
      canary.metadata.labels = { ...canary.metadata.labels, gitops: String(boundary) };
      canary.metadata.resourceVersion = nextRv();
    }
    const result = await call();
    if (kind === 'lostResponse') {
      dead = true;
      throw new Crash('crash after the call, before its answer');
    }
    return result;
  }

  /** One operator process: its own memory (write-through layer, delivery ledger). */
  function operator() {
    const written = new WriteThrough<V1Deployment>();
    const observed = (name: string) => written.read('shop', name, clone(cache.get(name)));
    const target: Target = {
      async observe(_ns, { name }): Promise<TargetObservation> {
        const t = observed(name);
        const primary = observed(`${name}-primary`);
        return {
          kind: 'Deployment',
          target: t,
          primary,
          revision: t ? targetRevision(t.spec?.template, {}) : undefined,
          tracked: { configMaps: [], secrets: [] },
          trackedConfigs: {},
          missingConfigs: [],
        };
      },
      ensurePrimary: (obs) =>
        io(() => {
          if (obs.primary || api.has('web-primary') || !obs.target || !obs.revision) return;
          written.record(
            put({
              metadata: { name: 'web-primary', annotations: { [REVISION_ANNOTATION]: obs.revision } },
              spec: { ...clone(obs.target.spec!), replicas: 2 },
            }),
          );
        }),
      ensureServices: () => io(() => undefined),
      ensureAutoscaler: () => io(() => undefined),
      holdAutoscaler: () => io(() => undefined),
      scale: (_kind, dep, replicas) =>
        io(() => {
          const live = api.get(dep.metadata!.name!)!;
          if (live.spec?.replicas === replicas) return;
          written.record(put({ ...live, spec: { ...live.spec!, replicas } }));
        }),
      promote: (obs, _owner, revision) =>
        io(() => {
          const live = api.get('web-primary')!;
          if (live.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return;
          // A replace with the resourceVersion the pass read, as the real one.
          if (obs.primary?.metadata?.resourceVersion !== live.metadata?.resourceVersion)
            throw new Error('Deployment shop/web-primary: promote failed: 409 Conflict');
          written.record(
            put({
              ...live,
              metadata: { ...live.metadata, annotations: { [REVISION_ANNOTATION]: revision } },
              spec: { ...live.spec!, template: clone(obs.target!.spec!.template) },
            }),
          );
        }),
    };
    const router: Router = {
      requiredKinds: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' }],
      getWeights: () => io(() => ({ ...(route ?? { primary: 100, canary: 0 }) })),
      ensureRoutes: () =>
        io(() => {
          route ??= { primary: 100, canary: 0 };
        }),
      setWeights: (_t, w) =>
        io(() => {
          routeWrites.push({ primary: w.primary, canary: w.canary });
          route = { primary: w.primary, canary: w.canary };
        }),
    };
    return createReconciler({
      caches: {
        canary: () => canary,
        deployment: (_ns, n) => cache.get(n),
        daemonSet: () => undefined,
        configMap: () => Promise.resolve(undefined),
        secret: () => Promise.resolve(undefined),
        scaledObject: () => undefined,
        autoscaler: () => undefined,
        metricTemplate: () => ({
          spec: { provider: { type: 'prometheus', address: 'http://127.0.0.1:9' }, query: 'q' },
        }),
        alertProvider: () => ({ spec: { type: 'generic', address: 'http://127.0.0.1:9/alerts' } }),
      },
      read: () => io(() => clone(canary)),
      target,
      router: () => router,
      events: {
        // As the real recorder: an Event that cannot be created is logged and dropped (information, not state).
        record: (_obj, _type, reason, message, key) =>
          io(() => {
            const name = key ?? `${reason}/${message}`;
            const held = events.get(name);
            if (held && key !== undefined) return; // 409 AlreadyExists: the keyed Event is there
            if (held) held.count += 1;
            else events.set(name, { reason, message, count: 1, keyed: key !== undefined });
          }).catch((err: unknown) => {
            if (err instanceof Crash) throw err;
            droppedEvents += 1;
          }),
      },
      status: {
        write: (_ns, _n, resourceVersion, status) =>
          io(() => {
            if (resourceVersion !== canary.metadata.resourceVersion) throw new StatusConflictError('409');
            canary.status = clone(status) as Record<string, unknown>;
            canary.metadata.resourceVersion = nextRv();
            return true;
          }),
        replaceIfSeq: (_ns, _n, seq, status) =>
          io(() => {
            if (seqOf() !== seq) throw new StatusConflictError('test failed');
            canary.status = clone(status) as Record<string, unknown>;
            canary.metadata.resourceVersion = nextRv();
            return true;
          }),
        markDelivered: (_ns, _n, seq, delivered) =>
          io(() => {
            if (seqOf() !== seq) throw new StatusConflictError('test failed');
            (canary.status!['decision'] as { delivered: number[] }).delivered = [...delivered];
            canary.metadata.resourceVersion = nextRv();
            return true;
          }),
      },
      finalizers: { set: () => io(() => undefined) },
      checks: {
        makeProvider: () => ({
          query: () =>
            io(
              () => (scenario === 'good' ? 99 : scenario === 'bad' ? 50 : flap++ % 2 === 0 ? 99 : 50),
              'query',
            ),
        }),
      },
      sendAlert: (_dest, m) =>
        io(() => {
          alerts.push(m.message);
          return { ok: true, message: 'HTTP 200' };
        }),
      metrics: createMetrics(),
      log: pino({ level: 'silent' }),
      now: () => new Date(clock),
      isLeader: () => true,
      served: async () => {
        const installed = passes >= (options.providerInstalledAt ?? 0);
        if (!installed) {
          // What the API server holds while the provider is missing: nothing may have been written.
          if (api.has('web-primary') || route !== undefined) appliedWithoutProvider = true;
          const reason = (
            canary.status?.['conditions'] as { type: string; reason: string }[] | undefined
          )?.find((c) => c.type === 'Stalled')?.reason;
          if (reason) stalledReasons.push(reason);
        }
        return installed;
      },
    });
  }
  let passes = 0;
  let appliedWithoutProvider = false;
  const stalledReasons: string[] = [];
  const seqOf = () => (canary.status?.['decision'] as { seq?: number } | undefined)?.seq;

  /**
   * Runs passes until the release is over and settled, as the work queue would: a failed pass is
   * retried, a crash replaces the process, time jumps to the next due step. Returns what happened.
   */
  async function run(maxPasses = 200) {
    let reconcile = operator();
    let released = false;
    let settled = 0;
    let crashes = 0;
    for (let pass = 0; pass < maxPasses; pass++) {
      passes = pass;
      if (pass % lag === 0) sync();
      let requeue: number | undefined;
      let failed = false;
      try {
        requeue = (await reconcile('shop/web')).requeueAfterMs;
      } catch (err) {
        failed = true;
        if (err instanceof Crash) {
          crashes += 1;
          dead = false;
          reconcile = operator();
          sync(); // a new process lists everything afresh
        }
        requeue = 1_000;
      }
      const phase = canary.status?.['phase'];
      if (!released && phase === 'Initialized') {
        // The new revision, as a user's `kubectl set image`.
        const live = api.get('web')!;
        put({ ...live, spec: { ...live.spec!, template: template('web:2') } });
        released = true;
      }
      // Over once the verdict is in and passes have run clean for a while (a failed one is retried).
      settled = released && (phase === 'Succeeded' || phase === 'Failed') && !failed ? settled + 1 : 0;
      if (settled > 4) break;
      clock += Math.max(requeue ?? 60_000, 1_000);
    }
    return {
      phase: canary.status?.['phase'] as string | undefined,
      status: canary.status as Record<string, unknown> | undefined,
      target: api.get('web'),
      primary: api.get('web-primary'),
      primaryImages,
      route,
      routeWrites,
      events: [...events.values()],
      alerts,
      boundaries: boundary,
      droppedEvents,
      failedQueries,
      crashes,
      released,
      appliedWithoutProvider,
      stalledReasons,
    };
  }
  return { run };
}
export type Outcome = Awaited<ReturnType<ReturnType<typeof createWorld>['run']>>;
