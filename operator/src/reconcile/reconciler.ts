import type { Logger } from 'pino';
import type { CheckResult } from '../../../analysis/src/index.ts';
import { parseCanary, type Canary } from '../api/index.ts';
import { splitKey, type Caches, type CanaryObject } from '../controller.ts';
import type { EventRecorder } from '../kube/events.ts';
import { start, step, type MachineEvent, type Step } from '../machine/index.ts';
import { InvalidRoutingError, type Router } from '../routers/index.ts';
import type { Metrics } from '../runtime/metrics.ts';
import { forgetCanary } from '../runtime/metrics.ts';
import { recordMetrics } from './record-metrics.ts';
import { Reason } from '../status/conditions.ts';
import type { DeploymentTarget, TargetObservation } from '../workloads/deployment-target.ts';
import { REVISION_ANNOTATION } from '../workloads/primary.ts';
import { deploymentReadiness } from '../workloads/readiness.ts';
import type { CheckSources } from './checks.ts';
import { planOf } from './derive.ts';
import { execute } from './effects.ts';
import { FINALIZER, type Finalizers } from './finalizer.ts';
import { describeError, statusAfter } from './status.ts';
import { stall } from './stall.ts';
import { StatusConflictError, type StatusWriter } from './status-writer.ts';
import { canonicalJson } from '../workloads/revision.ts';

export interface ReconcilerDeps {
  caches: Caches;
  /**
   * A fresh read of the Canary from the API server. Decisions are taken on it, never on the
   * informer cache, which may not have seen the status this operator wrote a moment ago.
   */
  read: (namespace: string, name: string) => Promise<CanaryObject | undefined>;
  target: DeploymentTarget;
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
}

/** A pass takes a handful of decisions (observe, then analysis and webhook answers); more means a loop. */
const MAX_DECISIONS = 16;

export type ReconcileResult = { requeueAfterMs?: number };

/**
 * One reconcile pass for one Canary: observe (informer caches), decide (the pure machine), act
 * (idempotent effects), record (one status write, skipped when nothing changed).
 */
export function createReconciler(deps: ReconcilerDeps): (key: string) => Promise<ReconcileResult> {
  return async (key) => {
    const started = process.hrtime.bigint();
    try {
      // A conflict means the Canary changed under the pass: decide again on a fresh read.
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await reconcileOnce(deps, key);
          deps.metrics.reconciles.inc({ result: 'success' });
          return result;
        } catch (err) {
          if (!(err instanceof StatusConflictError) || attempt >= 3) throw err;
          deps.metrics.reconciles.inc({ result: 'conflict' });
        }
      }
    } finally {
      deps.metrics.reconcileDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}

async function reconcileOnce(deps: ReconcilerDeps, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  if (!deps.caches.canary(namespace, name)) {
    forgetCanary(deps.metrics, namespace, name);
    return {};
  }
  const obj = await deps.read(namespace, name);
  if (!obj) {
    forgetCanary(deps.metrics, namespace, name);
    return {};
  }
  const log = deps.log.child({ canary: key });
  const now = deps.now();
  const parsed = parseCanary(obj);
  if (!parsed.ok) {
    const message = `invalid spec: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
    await stall(deps, obj, undefined, Reason.InvalidSpec, message, now, log);
    return {};
  }
  const canary = parsed.value;
  const deleting = Boolean(canary.metadata.deletionTimestamp);
  const finalizers = obj.metadata?.finalizers ?? [];
  const wantsFinalizer = canary.spec.revertOnDeletion === true;
  if (!deleting && wantsFinalizer && !finalizers.includes(FINALIZER)) {
    await deps.finalizers.set(namespace, name, [...finalizers, FINALIZER], obj.metadata?.resourceVersion);
    return {}; // the update queues the next pass
  }
  if (deleting && (!wantsFinalizer || !finalizers.includes(FINALIZER))) {
    if (finalizers.includes(FINALIZER)) await removeFinalizer(deps, obj);
    return {};
  }

  const obs = deps.target.observe(namespace, canary.spec.targetRef.name, true);
  if (!obs.target || !obs.revision) {
    if (deleting) {
      await removeFinalizer(deps, obj);
      return {};
    }
    await stall(
      deps,
      obj,
      canary,
      Reason.TargetNotFound,
      `Deployment ${namespace}/${canary.spec.targetRef.name} not found`,
      now,
      log,
    );
    return {};
  }

  const plan = planOf(canary);
  const persisted = canary.status?.machine;
  let current = persisted ? undefined : start({ now: now.getTime(), plan, revision: obs.revision });
  let snapshot: unknown = persisted;
  const pending: Step[] = [];
  if (current) {
    if (!current.ok) {
      await stall(deps, obj, canary, Reason.IncompatibleState, current.error.message, now, log);
      return {};
    }
    pending.push(current.value);
    snapshot = current.value.persisted;
  } else if (
    canonicalJson((persisted as { context?: { plan?: unknown } }).context?.plan) !== canonicalJson(plan)
  ) {
    current = step(persisted, { type: 'SET_PLAN', now: now.getTime(), plan });
    if (!current.ok) {
      await stall(deps, obj, canary, Reason.IncompatibleState, current.error.message, now, log);
      return {};
    }
    pending.push(current.value);
    snapshot = current.value.persisted;
  }

  const events: MachineEvent[] = [observe(canary, obs, now, deleting)];
  let last: Step | undefined = pending.at(-1);
  let checks: CheckResult[] | undefined;
  const router = deps.router(canary.spec.provider);
  const ctx = (phase: string) => ({
    canary,
    obs,
    router,
    target: deps.target,
    events: deps.events,
    checks: { ...deps.checks, metricTemplate: deps.caches.metricTemplate, secret: deps.caches.secret },
    alerts: {
      alertProvider: deps.caches.alertProvider,
      secret: deps.caches.secret,
      count: (type: string, result: string) => deps.metrics.alerts.inc({ type, result }),
    },
    log,
    now,
    phase,
  });
  try {
    for (let decisions = 0; ; decisions++) {
      // Effects in order; analysis and webhook effects answer with events decided in this same pass.
      for (const s of pending.splice(0)) {
        for (const effect of s.effects) {
          if (!deps.isLeader()) throw new Error('lost leadership during the pass; not acting');
          const outcome = await execute(effect, ctx(s.phase));
          if (outcome.checks) checks = outcome.checks;
          if (outcome.followUp) events.push(outcome.followUp);
        }
      }
      const event = events.shift();
      if (!event) break;
      if (decisions >= MAX_DECISIONS)
        throw new Error(`machine did not settle after ${MAX_DECISIONS} decisions`);
      const next = step(snapshot, event);
      if (!next.ok) {
        await stall(deps, obj, canary, Reason.IncompatibleState, next.error.message, now, log);
        return {};
      }
      snapshot = next.value.persisted;
      last = next.value;
      pending.push(next.value);
    }
  } catch (err) {
    deps.metrics.apiErrors.inc({ source: 'effect' });
    // The machine is not advanced (its status is not written); the failure is shown on the Canary.
    // A route the provider cannot express will not fix itself: Stalled, no retry until the spec
    // changes. Anything else is retried with backoff while the Canary says why it is waiting.
    const terminal = err instanceof InvalidRoutingError;
    await stall(
      deps,
      obj,
      canary,
      Reason.ReconcileError,
      describeError(err),
      now,
      log,
      terminal ? 'stalled' : 'reconciling',
    ).catch((writeErr: unknown) => log.warn({ err: writeErr }, 'could not record the failure on the Canary'));
    if (terminal) return {};
    throw err;
  }
  if (!last) return {};

  const status = statusAfter(canary, last, obs, checks, now);
  recordMetrics(deps.metrics, canary, last, checks);
  if (last.phase === 'Terminated' && deleting) {
    await removeFinalizer(deps, obj);
    return {};
  }
  if (canonicalJson(status) !== canonicalJson(canary.status ?? {})) {
    await deps.status.write(namespace, name, obj.metadata?.resourceVersion, status);
    if (status.phase !== canary.status?.phase)
      log.info({ phase: status.phase, weight: status.canaryWeight }, 'phase changed');
  }
  if (last.requeueAt === null) return {};
  return { requeueAfterMs: Math.max(last.requeueAt - now.getTime(), 0) };
}

function observe(canary: Canary, obs: TargetObservation, now: Date, deleting: boolean): MachineEvent {
  const a = canary.spec.analysis;
  return {
    type: 'OBSERVE',
    now: now.getTime(),
    revision: obs.revision ?? '',
    primaryRevision: obs.primary?.metadata?.annotations?.[REVISION_ANNOTATION] ?? null,
    primaryReady: deploymentReadiness(obs.primary, a.primaryReadyThreshold).ready,
    canaryReady: deploymentReadiness(obs.target, a.canaryReadyThreshold).ready,
    suspended: canary.spec.suspend ?? false,
    skipAnalysis: canary.spec.skipAnalysis ?? false,
    deleting,
  };
}

async function removeFinalizer(deps: ReconcilerDeps, obj: CanaryObject): Promise<void> {
  const finalizers = (obj.metadata?.finalizers ?? []).filter((f) => f !== FINALIZER);
  await deps.finalizers.set(
    obj.metadata?.namespace ?? '',
    obj.metadata?.name ?? '',
    finalizers,
    obj.metadata?.resourceVersion,
  );
}
