import type { Logger } from 'pino';
import { callWebhooks, type CheckResult } from '../../../analysis/src/index.ts';
import { durationMs, type Canary } from '../api/index.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { Effect, MachineEvent } from '../machine/index.ts';
import type { Router } from '../routers/index.ts';
import type { DeploymentTarget, TargetObservation } from '../workloads/deployment-target.ts';
import { deliverAlert, type AlertSources } from './alerts.ts';
import { analyse, type CheckSources } from './checks.ts';
import { ownerOf, routeTarget, servicePlan } from './derive.ts';

export interface EffectContext {
  canary: Canary;
  obs: TargetObservation;
  router: Router;
  target: DeploymentTarget;
  events: EventRecorder;
  checks: CheckSources;
  alerts: AlertSources;
  log: Logger;
  now: Date;
  phase: string;
}

export interface EffectOutcome {
  /** The answer the machine waits for (analysis or webhook result), to feed back in this pass. */
  followUp?: MachineEvent;
  checks?: CheckResult[];
}

/**
 * Carries out one effect of the machine. Each is idempotent, so the batch can be repeated after a
 * crash before the status write. A throw aborts the batch: the status (and so the machine) is not
 * advanced, and the pass is retried with backoff.
 */
export async function execute(effect: Effect, ctx: EffectContext): Promise<EffectOutcome> {
  const { canary, obs, router, target } = ctx;
  const owner = ownerOf(canary);
  const rt = routeTarget(canary);
  switch (effect.type) {
    case 'ensurePrimary':
      await target.ensurePrimary(obs, owner);
      return {};
    case 'ensureServices':
      if (obs.target)
        await target.ensureServices(
          obs.target,
          owner,
          servicePlan(canary, obs.target),
          canary.spec.provider === 'kubernetes',
        );
      return {};
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
      // The canary runs as many replicas as the primary serves with (Flagger's behaviour).
      const restore = Math.max(obs.primary?.spec?.replicas ?? obs.target.spec?.replicas ?? 1, 1);
      const replicas =
        effect.type === 'scaleTargetToZero' || (effect.type === 'scaleCanary' && effect.params.replicas === 0)
          ? 0
          : restore;
      await target.scale(obs.target, replicas);
      return {};
    }
    case 'promote':
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
      );
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
      const hooks = (canary.spec.analysis.webhooks ?? []).filter((w) => w.type === effect.params.type);
      const { outcomes } = await callWebhooks(
        hooks.map((w) => ({
          name: w.name,
          url: w.url,
          timeoutMs: durationMs(w.timeout) ?? 10_000,
          metadata: w.metadata,
        })),
        {
          name: canary.metadata.name ?? '',
          namespace: canary.metadata.namespace ?? '',
          phase: ctx.phase,
          checksum: effect.params.revision,
          type: effect.params.type,
        },
      );
      for (const o of outcomes) if (!o.ok) ctx.log.info({ webhook: o.name }, o.message);
      // A gate opens when every hook says yes; a rollback hook acts when any one of them asks.
      const ok = effect.params.type === 'rollback' ? outcomes.some((o) => o.ok) : outcomes.every((o) => o.ok);
      return {
        followUp: { type: 'WEBHOOK_RESULT', now: ctx.now.getTime(), webhook: effect.params.type, ok },
      };
    }
    default: {
      const unreachable: never = effect;
      throw new Error(`unknown effect ${JSON.stringify(unreachable)}`);
    }
  }
}
