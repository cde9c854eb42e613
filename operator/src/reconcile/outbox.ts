import { z } from 'zod';
import { receives } from '../../../analysis/src/index.ts';
import type { Canary } from '../api/index.ts';
import { effectTypes, routeOf, type Effect, type MachineContext } from '../machine/index.ts';
import type { TargetObservation } from '../workloads/workload-target.ts';
import { REVISION_ANNOTATION } from '../workloads/primary.ts';

/**
 * The decision a pass persisted before acting on it (status.decision, see
 * docs/decisions/0006-decide-persist-act.md): a sequence number that goes up by one with every
 * decision written, the effects that decision asked for (the outbox), and which of its one-shot
 * effects have been delivered.
 *
 * Pure: which effects are queries, which are one-shot, and how an effect is keyed.
 */
export const decisionSchema = z.object({
  seq: z.int().min(1),
  effects: z.array(z.object({ type: z.string().min(1), params: z.record(z.string(), z.unknown()) })).max(64),
  /** Indexes into `effects` of one-shot effects already delivered. */
  delivered: z.array(z.int().min(0)).max(64),
});
export type Decision = z.infer<typeof decisionSchema>;

/** status.decision as persisted, or undefined when absent or not ours to trust (then nothing is replayed). */
export function readDecision(raw: unknown): { decision: Decision; effects: Effect[] } | undefined {
  const parsed = decisionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  if (!parsed.data.effects.every((e) => effectTypes.has(e.type))) return undefined;
  // The types were checked against the effect names above; params were written by this operator.
  return { decision: parsed.data, effects: parsed.data.effects as unknown as Effect[] };
}

/**
 * Queries read the world and answer the machine within the same pass (metric analysis, gate
 * webhooks); they run while deciding. Everything else changes the world or tells someone, and
 * runs only after the decision that asked for it is persisted.
 */
export function isQuery(effect: Effect): boolean {
  if (effect.type === 'runAnalysis') return true;
  return effect.type === 'runWebhooks' && effect.params.type !== 'post-rollout';
}

/**
 * One-shot effects tell someone outside (an alert, a post-rollout hook, an Event) and must not be
 * repeated when the outbox is replayed. Every other effect converges an object and is safe to repeat.
 */
export function isOneShot(effect: Effect): boolean {
  return effect.type === 'recordEvent' || effect.type === 'sendAlert' || effect.type === 'runWebhooks';
}

/** Persisted delivery marks are kept for these; Events are keyed by name on the API server instead. */
export function needsDeliveryMark(effect: Effect): boolean {
  return isOneShot(effect) && effect.type !== 'recordEvent';
}

/** The identity of one effect of one decision of one Canary: stable across retries, replays and restarts. */
export function effectKey(uid: string, seq: number, index: number): string {
  return `${uid}/${seq}/${index}`;
}

/**
 * What every pass converges before it decides, from the persisted machine alone: the Services,
 * the routes at the weights the machine last decided, the canary's replicas (serving during a
 * release, zero at rest) and the primary's autoscaler. Level-triggered: a changed `service.port`, a
 * deleted or hand-edited route, a hand-scaled canary, an edited target HPA are put right by the
 * next pass, not at the next release. While initializing only the autoscaler (the machine sets the
 * other three itself once the primary is ready); nothing while being deleted. The primary is not
 * derived here: it is the target's spec at the promoted revision, which only the promotion itself
 * (in the outbox, keyed by revision) can copy.
 */
export function convergence(state: string, context: MachineContext): Effect[] {
  if (state === 'terminating' || state === 'terminated') return [];
  const autoscaler: Effect = { type: 'ensureAutoscaler', params: {} };
  if (state === 'initializing') return [autoscaler];
  const releasing = state.startsWith('analysis') || state === 'promoting' || state === 'finalising';
  return [
    { type: 'ensureServices', params: {} },
    autoscaler,
    { type: 'ensureRoutes', params: routeOf(context) },
    { type: 'scaleCanary', params: { replicas: releasing ? 'restore' : 0 } },
  ];
}

/** Which replayed outbox effects a converged effect makes redundant. */
const covers: Partial<Record<Effect['type'], readonly Effect['type'][]>> = {
  ensureServices: ['ensureServices'],
  ensureRoutes: ['ensureRoutes', 'setWeights'],
  scaleCanary: ['scaleCanary', 'scaleTargetToZero'],
};

/** Replayed outbox effects that this pass's convergence already covers are not run twice. */
export function coveredByConvergence(effect: Effect, converged: readonly Effect[]): boolean {
  return converged.some((c) => covers[c.type]?.includes(effect.type) === true);
}

/**
 * An alert nobody receives (no alert entry lets its severity through) is not an effect at all: it
 * would cost a delivery claim for nothing. Everything else always has a receiver.
 */
export function hasReceiver(effect: Effect, canary: Canary): boolean {
  if (effect.type !== 'sendAlert') return true;
  return (canary.spec.analysis.alerts ?? []).some((e) => receives(e.severity, effect.params.severity));
}

/**
 * A persisted promote that can never be applied: the target has moved on from its revision and the
 * primary does not run it (the target changed between the decision and a crashed pass's replay).
 * Replaying it would fail every pass; skipped, the machine sees the lost promotion and releases
 * what the target has instead.
 */
export function unpromotable(effect: Effect, obs: Pick<TargetObservation, 'revision' | 'primary'>): boolean {
  return (
    effect.type === 'promote' &&
    obs.revision !== effect.params.revision &&
    obs.primary?.metadata?.annotations?.[REVISION_ANNOTATION] !== effect.params.revision
  );
}
