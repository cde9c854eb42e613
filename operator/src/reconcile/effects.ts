import type { Logger } from 'pino';
import { callWebhooks, type CheckResult, type WebhookCall } from '../../../analysis/src/index.ts';
import { durationMs, type Canary, type ResolvedCanary } from '../api/index.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { Effect, EffectParams, MachineEvent } from '../machine/index.ts';
import type { Router } from '../routers/index.ts';
import type { V1Deployment } from '@kubernetes/client-node';
import type { Target, TargetObservation } from '../workloads/workload-target.ts';
import type { Workload } from '../workloads/workload.ts';
import { deliverAlert, type AlertSources } from './alerts.ts';
import { analyse, type CheckSources } from './checks.ts';
import { ownerOf, routeTarget, servicePlan } from './derive.ts';
import { canaryStartReplicas } from '../workloads/autoscaler.ts';
import { primaryName, REVISION_ANNOTATION } from '../workloads/primary.ts';

export interface EffectContext {
  canary: ResolvedCanary;
  obs: TargetObservation;
  router: Router;
  target: Target;
  events: EventRecorder;
  checks: CheckSources;
  alerts: AlertSources;
  log: Logger;
  now: Date;
  phase: string;
  /** The identity of this effect (Canary, decision, index): one-shot effects are delivered once per key. */
  key?: string;
}

export interface EffectOutcome {
  /** The answer the machine waits for (analysis or webhook result), to feed back in this pass. */
  followUp?: MachineEvent;
  checks?: CheckResult[];
  /** One-shot effects a query asks for (an alert about a failed webhook), run after the decision is persisted. */
  tell?: Effect[];
}

/** The release a route effect routes for (session-affinity cookies); undefined for any other. */
function routeRelease(effect: Effect): string | undefined {
  return effect.type === 'ensureRoutes' || effect.type === 'setWeights' ? effect.params.release : undefined;
}

/**
 * Carries out one effect of the machine. Each is idempotent, so the batch can be repeated after a
 * crash before the status write. A throw aborts the batch: the status (and so the machine) is not
 * advanced, and the pass is retried with backoff.
 */
export async function execute(effect: Effect, ctx: EffectContext): Promise<EffectOutcome> {
  const { canary, obs, router, target } = ctx;
  const owner = ownerOf(canary);
  const rt = routeTarget(canary, routeRelease(effect));
  switch (effect.type) {
    case 'ensurePrimary':
      await target.ensurePrimary(obs, owner);
      return {};
    case 'ensureServices':
      if (obs.target)
        await target.ensureServices(
          obs.kind,
          obs.target,
          owner,
          servicePlan(canary, obs.target),
          canary.spec.provider === 'kubernetes',
        );
      return {};
    case 'ensureAutoscaler': {
      const ref = canary.spec.autoscalerRef;
      if (!ref || !obs.autoscaler) return {};
      await target.ensureAutoscaler(
        canary.metadata.namespace ?? '',
        ref,
        obs.autoscaler,
        canary.spec.targetRef.name,
        primaryName(canary.spec.targetRef.name),
        owner,
      );
      return {};
    }
    case 'ensureRoutes':
      await router.ensureRoutes(rt);
      await router.setWeights(rt, effect.params);
      return {};
    case 'setWeights':
      await router.setWeights(rt, effect.params);
      return {};
    case 'scaleCanary':
    case 'scaleTargetToZero':
    case 'revertTarget': {
      if (!obs.target) return {};
      const toZero =
        effect.type === 'scaleTargetToZero' ||
        (effect.type === 'scaleCanary' && effect.params.replicas === 0);
      const namespace = canary.metadata.namespace ?? '';
      // KEDA is paused before the canary goes to zero, and resumed before it starts, so it never
      // scales the canary against fledge in between.
      if (toZero) {
        await target.holdAutoscaler(namespace, obs.autoscaler, true);
        await target.scale(obs.kind, obs.target, 0);
        return {};
      }
      await target.holdAutoscaler(namespace, obs.autoscaler, false);
      // A DaemonSet has no count: it runs on its nodes again.
      if (obs.kind === 'DaemonSet') {
        await target.scale(obs.kind, obs.target, 1);
        return {};
      }
      const replicasOf = (w: Workload | undefined) => (w as V1Deployment | undefined)?.spec?.replicas;
      // With an autoscaler, it owns the canary's count once running: only a canary at zero (where
      // an HPA does not act) is started, at the autoscaler's minimum, as Flagger does.
      if (canary.spec.autoscalerRef && effect.type === 'scaleCanary') {
        if ((replicasOf(obs.target) ?? 0) === 0)
          await target.scale(obs.kind, obs.target, canaryStartReplicas(obs.autoscaler));
        return {};
      }
      // The canary runs as many replicas as the primary serves with (Flagger's behaviour).
      await target.scale(
        obs.kind,
        obs.target,
        Math.max(replicasOf(obs.primary) ?? replicasOf(obs.target) ?? 1, 1),
      );
      return {};
    }
    case 'promote':
      // Keyed by revision: a primary already serving it (a replay after a crash) needs nothing.
      if (obs.primary?.metadata?.annotations?.[REVISION_ANNOTATION] === effect.params.revision) return {};
      if (obs.revision !== effect.params.revision) {
        throw new Error(
          `refusing to promote: the target is at revision ${obs.revision ?? 'unknown'}, analysis ran on ${effect.params.revision}`,
        );
      }
      await target.promote(obs, owner, effect.params.revision);
      return {};
    case 'revertRoutes':
      await router.finalize?.(rt);
      return {};
    case 'recordEvent':
      await ctx.events.record(
        {
          apiVersion: canary.apiVersion,
          kind: 'Canary',
          namespace: canary.metadata.namespace ?? '',
          name: canary.metadata.name ?? '',
          ...(canary.metadata.uid ? { uid: canary.metadata.uid } : {}),
        },
        effect.params.type,
        effect.params.reason,
        effect.params.message,
        ctx.key,
      );
      await notifyEventWebhooks(effect.params, ctx);
      return {};
    case 'sendAlert':
      // Never throws: a failed delivery is logged and counted, it does not hold the release.
      await deliverAlert(effect.params, ctx);
      return {};
    case 'runAnalysis': {
      const result = await analyse(canary, ctx.checks, ctx.now);
      for (const r of result.results) {
        if (r.verdict !== 'Pass')
          ctx.log.info({ metric: r.name, verdict: r.verdict, value: r.value }, r.message);
      }
      return {
        checks: result.results,
        followUp: {
          type: 'ANALYSIS_RESULT',
          now: ctx.now.getTime(),
          verdict: result.verdict,
          checks: result.results.map((r) => ({
            name: r.name,
            verdict: r.verdict === 'Pass' ? 'pass' : r.verdict === 'Fail' ? 'fail' : 'inconclusive',
            message: r.message,
          })),
        },
      };
    }
    case 'runWebhooks': {
      const hooks = callable(canary.spec.analysis.webhooks ?? []).filter(
        (w) => w.type === effect.params.type,
      );
      const { outcomes } = await callWebhooks(
        hooks.map((w) => webhookCall(w)),
        {
          name: canary.metadata.name ?? '',
          namespace: canary.metadata.namespace ?? '',
          phase: ctx.phase,
          checksum: effect.params.revision,
          type: effect.params.type,
        },
      );
      for (const o of outcomes) if (!o.ok) ctx.log.info({ webhook: o.name }, o.message);
      if (effect.params.type === 'post-rollout') return {};
      // A gate opens when every hook says yes; a rollback hook acts when any one of them asks.
      const ok = effect.params.type === 'rollback' ? outcomes.some((o) => o.ok) : outcomes.every((o) => o.ok);
      // A gate that said no is worth a warning, unless the hook is muted (Flagger's muteAlert). A
      // rollback hook saying no is the normal case.
      const muted = new Set(hooks.filter((w) => w.muteAlert).map((w) => w.name));
      const tell: Effect[] =
        effect.params.type === 'rollback'
          ? []
          : outcomes
              .filter((o) => !o.ok && !muted.has(o.name))
              .map((o) => ({
                type: 'sendAlert',
                params: { severity: 'warn', message: `${effect.params.type} webhook ${o.message}` },
              }));
      return {
        followUp: { type: 'WEBHOOK_RESULT', now: ctx.now.getTime(), webhook: effect.params.type, ok },
        ...(tell.length > 0 ? { tell } : {}),
      };
    }
    default: {
      const unreachable: never = effect;
      throw new Error(`unknown effect ${JSON.stringify(unreachable)}`);
    }
  }
}

type CanaryWebhook = NonNullable<Canary['spec']['analysis']['webhooks']>[number];

/** The hooks fledge calls; a manual gate's hook (no url) is answered by a promote command instead. */
function callable(hooks: readonly CanaryWebhook[]): (CanaryWebhook & { url: string })[] {
  return hooks.filter((w): w is CanaryWebhook & { url: string } => w.url !== undefined);
}

/** One webhook of the spec as a call: every accepted field used (timeout, retries, metadata). */
function webhookCall(w: CanaryWebhook & { url: string }, metadata: Record<string, string> = {}): WebhookCall {
  return {
    name: w.name,
    url: w.url,
    timeoutMs: durationMs(w.timeout) ?? 10_000,
    retries: w.retries,
    metadata: { ...w.metadata, ...metadata },
  };
}

/**
 * Flagger's `event` webhooks: every Event the machine records is also POSTed to each of them, with
 * the message in the metadata. Information only: a failure is logged, never holds the release.
 */
async function notifyEventWebhooks(notice: EffectParams['recordEvent'], ctx: EffectContext): Promise<void> {
  const hooks = callable(ctx.canary.spec.analysis.webhooks ?? []).filter((w) => w.type === 'event');
  if (hooks.length === 0) return;
  const { outcomes } = await callWebhooks(
    hooks.map((w) =>
      webhookCall(w, { eventMessage: notice.message, eventType: notice.type, eventReason: notice.reason }),
    ),
    {
      name: ctx.canary.metadata.name ?? '',
      namespace: ctx.canary.metadata.namespace ?? '',
      phase: ctx.phase,
      checksum: ctx.canary.status?.lastAppliedSpec ?? '',
      type: 'event',
    },
  );
  for (const o of outcomes) if (!o.ok) ctx.log.info({ webhook: o.name }, o.message);
}
