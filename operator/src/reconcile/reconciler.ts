import type { CheckResult } from '../../../analysis/src/index.ts';
import { parseWithDefaultProvider } from '../api/index.ts';
import { splitKey } from '../controller.ts';
import {
  start,
  step,
  type Effect,
  type MachineContext,
  type MachineEvent,
  type Step,
} from '../machine/index.ts';
import { forgetCanary } from '../runtime/metrics.ts';
import { recordMetrics, recordOutcome } from './record-metrics.ts';
import { Reason, type Condition } from '../status/conditions.ts';
import { waitingOf } from '../status/waiting.ts';
import { blocker } from './preconditions.ts';
import { planOf } from './derive.ts';
import { execute } from './effects.ts';
import { observe, readinessOf } from './observe.ts';
import { failEffect, removeFinalizer } from './fail-effect.ts';
import { runOutbox } from './outbox-run.ts';
import { appliedDecision, changedFields, firstWrite, planDecision } from './persist-plan.ts';
import { FINALIZER } from './finalizer.ts';
import { statusAfter } from './status.ts';
import { stall } from './stall.ts';
import { StatusConflictError } from './status-writer.ts';
import { canonicalJson } from '../workloads/revision.ts';
import { DeliveryLedger } from './delivery-ledger.ts';
import {
  convergence,
  coveredByConvergence,
  hasReceiver,
  isQuery,
  readDecision,
  unpromotable,
} from './outbox.ts';
import { commandEvent } from './command.ts';
import { crossNamespaceRefs } from './cross-namespace.ts';
import type { ReconcilerDeps, ReconcileResult } from './deps.ts';

export type { ReconcilerDeps, ReconcileResult } from './deps.ts';

/** Internal to a pass: deps plus what the reconciler keeps between passes. */
type PassDeps = ReconcilerDeps & { delivered: DeliveryLedger };

/** A pass that ran out of time; it stops at an effect boundary and is retried with backoff. */
export class PassDeadlineError extends Error {
  override name = 'PassDeadlineError';
}

/** A pass takes a handful of decisions (observe, then analysis and webhook answers); more means a loop. */
const MAX_DECISIONS = 16;

/**
 * One reconcile pass for one Canary (docs/decisions/0006-decide-persist-act.md): observe (a fresh
 * read of the Canary, informer caches with this process's own writes layered over them), converge
 * and finish the last persisted decision, decide (the pure machine, queries answered inline),
 * persist the decision guarded by its sequence number, then act on it.
 */
export function createReconciler(base: ReconcilerDeps): (key: string) => Promise<ReconcileResult> {
  const deps: PassDeps = { ...base, delivered: new DeliveryLedger() };
  const passTimeoutMs = base.passTimeoutMs ?? 120_000;
  return async (key) => {
    const started = process.hrtime.bigint();
    const deadline = Date.now() + passTimeoutMs;
    try {
      // A conflict means another decision was written first: decide again on a fresh read.
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await reconcileOnce(deps, key, deadline, attempt > 1);
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

async function reconcileOnce(
  deps: PassDeps,
  key: string,
  deadline: number,
  fresh: boolean,
): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const gone = async (uid: string | undefined) => {
    await forgetCanary(deps.metrics, namespace, name);
    if (uid) deps.delivered.forget(uid);
    return {};
  };
  const cached = deps.caches.canary(namespace, name);
  if (!cached) return gone(undefined);
  const obj = await deps.read(namespace, name, fresh);
  if (!obj) return gone(cached.metadata?.uid);
  // Every effect and write starts here: a demoted leader or a pass past its deadline stops.
  const checkpoint = () => {
    if (!deps.isLeader()) throw new Error('lost leadership during the pass; not acting');
    if (Date.now() > deadline) throw new PassDeadlineError(`pass for ${key} ran past its deadline`);
  };
  const log = deps.log.child({ canary: key });
  const now = deps.now();
  const parsed = parseWithDefaultProvider(obj, deps.meshProvider);
  if (!parsed.ok) {
    const message = `invalid spec: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
    await stall(deps, obj, undefined, Reason.InvalidSpec, message, now, log);
    return {};
  }
  const canary = parsed.value;
  const foreign = deps.noCrossNamespaceRefs ? crossNamespaceRefs(canary) : [];
  if (foreign.length > 0) {
    const message = `invalid spec: ${foreign.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
    await stall(deps, obj, canary, Reason.InvalidSpec, message, now, log);
    return {};
  }
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

  const autoscalerRef = canary.spec.autoscalerRef;
  const observeTarget = () => deps.target.observe(namespace, canary.spec.targetRef, true, autoscalerRef);
  let obs = await observeTarget();
  if (!obs.target || !obs.revision) {
    if (deleting) await removeFinalizer(deps, obj);
    else {
      const { kind, name: target } = canary.spec.targetRef;
      await stall(
        deps,
        obj,
        canary,
        Reason.TargetNotFound,
        `${kind} ${namespace}/${target} not found`,
        now,
        log,
      );
    }
    return {};
  }
  const blocked = deleting ? undefined : await blocker(deps, canary, { ...obs, target: obs.target });
  if (blocked) {
    await stall(deps, obj, canary, blocked.reason, blocked.message, now, log);
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

  // Act on the last persisted decision first (its outbox may not have run: a crash, a failed
  // effect), and converge what the spec and machine say must exist: the world this pass decides
  // on then includes every effect already decided.
  const persistedDecision = readDecision(canary.status?.decision);
  const seq = persistedDecision?.decision.seq ?? 0;
  const router = deps.router(canary.spec.provider);
  const ctx = (phase: string, key?: string) => ({
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
      ...(deps.sendAlert ? { send: deps.sendAlert } : {}),
    },
    log,
    now,
    phase,
    ...(key !== undefined ? { key } : {}),
  });
  const uid = canary.metadata.uid ?? key;
  const outboxRun = { deps, namespace, name, uid, checkpoint, ctx };
  try {
    const restored = persisted as { state?: string; context?: MachineContext } | undefined;
    const converge =
      restored?.state && restored.context && !deleting ? convergence(restored.state, restored.context) : [];
    for (const effect of converge) {
      checkpoint();
      await execute(effect, ctx(canary.status?.phase ?? ''));
    }
    if (persistedDecision) {
      await runOutbox(outboxRun, canary.status?.phase ?? '', seq, persistedDecision.effects, {
        delivered: persistedDecision.decision.delivered,
        skip: (e) => coveredByConvergence(e, converge) || unpromotable(e, obs),
      });
    }
  } catch (err) {
    return failEffect(deps, obj, canary, err, now, log);
  }
  // The effects above may have written the primary or the target: decide on what they left.
  obs = await observeTarget();

  // Decide: queries (analysis, gate webhooks) answer the machine within the pass; every other
  // effect is collected into the outbox of this decision.
  const observation = observe(canary, obs, now, deleting);
  const command = commandEvent(
    canary,
    (snapshot as { context?: MachineContext } | undefined)?.context,
    observation,
  );
  const events: MachineEvent[] = [...(command ? [command] : []), observation];
  let last: Step | undefined = pending.at(-1);
  let checks: CheckResult[] | undefined;
  const outbox: Effect[] = [];
  try {
    for (let decisions = 0; ; decisions++) {
      // The answers of a step come before any event still queued (a command's pass then observes
      // the world after the command's own gate answered, and asks that gate once).
      const answers: MachineEvent[] = [];
      for (const s of pending.splice(0)) {
        for (const effect of s.effects) {
          if (!isQuery(effect)) {
            if (hasReceiver(effect, canary)) outbox.push(effect);
            continue;
          }
          checkpoint();
          const outcome = await execute(effect, ctx(s.phase));
          if (outcome.checks) checks = outcome.checks;
          if (outcome.followUp) answers.push(outcome.followUp);
          if (outcome.tell) outbox.push(...outcome.tell.filter((e) => hasReceiver(e, canary)));
        }
      }
      events.unshift(...answers);
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
    return failEffect(deps, obj, canary, err, now, log);
  }
  if (!last) return {};

  // Persist the decision, then act on it. A decision that changed nothing keeps the last one (and
  // its outbox, replayed above), so a pass that only observes writes nothing.
  const { changed, decision } = planDecision({
    before: persisted,
    after: last.persisted,
    outbox,
    persisted: persistedDecision,
    seq,
    claimed: deps.delivered.for(uid, seq),
  });
  const c = last.persisted.context;
  const waiting = waitingOf(
    last.phase,
    readinessOf(canary, obs),
    c,
    now.getTime(),
    c.plan.progressDeadlineSeconds,
  );
  const status = {
    ...statusAfter(canary, last, obs, checks, now, waiting?.health),
    ...(decision ? { decision } : {}),
  };
  // A pass of a term that has ended reports nothing: only the leader exports canary gauges.
  if (deps.isLeader()) recordMetrics(deps.metrics, canary, last, checks);
  const { applying, status: persistedFirst } = firstWrite(status, {
    changed,
    phase: last.phase,
    outbox,
    conditions: (canary.status?.conditions ?? []) as Condition[],
    generation: canary.metadata.generation ?? 0,
    now,
  });
  if (canonicalJson(persistedFirst) !== canonicalJson(canary.status ?? {})) {
    checkpoint();
    log.debug({ fields: changedFields(canary.status ?? {}, persistedFirst) }, 'writing status');
    if (persistedDecision) await deps.status.replaceIfSeq(namespace, name, seq, persistedFirst);
    else await deps.status.write(namespace, name, obj.metadata?.resourceVersion, persistedFirst);
    if (status.phase !== canary.status?.phase)
      log.info({ phase: status.phase, weight: status.canaryWeight }, 'phase changed');
    recordOutcome(deps.metrics, canary, last, now);
  }
  if (changed) {
    try {
      await runOutbox(outboxRun, last.phase, seq + 1, outbox, { delivered: [], skip: () => false });
      if (applying) {
        checkpoint();
        await deps.status.replaceIfSeq(namespace, name, seq + 1, {
          ...status,
          decision: appliedDecision(seq + 1, outbox, deps.delivered.for(uid, seq + 1)),
        });
      }
    } catch (err) {
      // Decided and persisted: the next pass replays the rest of the outbox.
      return failEffect(deps, { ...obj, status: persistedFirst }, canary, err, now, log);
    }
  }
  if (last.phase === 'Terminated' && deleting) {
    await removeFinalizer(deps, obj);
    return {};
  }
  if (waiting?.overdue) {
    // Once per decision: the key names it, so later passes of the same wait find the Event there.
    await deps.events.record(
      { apiVersion: canary.apiVersion, kind: 'Canary', namespace, name, uid },
      'Warning',
      waiting.health.reason,
      waiting.health.message,
      `${uid}/${decision?.seq ?? seq}/${waiting.health.reason}`,
    );
  }
  const due = [last.requeueAt, waiting?.overdueAt ?? null].filter((t): t is number => t !== null);
  if (due.length === 0) return {};
  return { requeueAfterMs: Math.max(Math.min(...due) - now.getTime(), 0) };
}
