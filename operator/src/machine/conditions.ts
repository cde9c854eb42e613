import type { MachineContext } from './context.ts';
import {
  toMillis,
  type CommandEvent,
  type CommandVerb,
  type MachineEvent,
  type ObserveEvent,
} from './events.ts';
import { hasManualGates, hasWebhook, isManualGate, type WebhookType } from './plan.ts';
import { advanceExposure, exposureComplete, nextPromotionWeights, TOTAL_WEIGHT } from './schedule.ts';

/**
 * The machine's guards as plain predicates over (context, event). Transitions list them in
 * priority order (deletion, suspension, a moved target, readiness, time), first match wins.
 */
type Condition = (context: MachineContext, event: MachineEvent) => boolean;

/** A predicate over OBSERVE only: every other event fails it. */
const observed =
  (test: (context: MachineContext, event: ObserveEvent) => boolean): Condition =>
  (context, event) =>
    event.type === 'OBSERVE' && test(context, event);

/** Deletion is only the machine's business when the target must be reverted (Flagger's finalizer). */
export const deleting = observed((c, e) => e.deleting && c.plan.revertOnDeletion);
export const suspended = observed((_, e) => e.suspended);

/** A revision neither under analysis nor already promoted (Flagger's hasSpecChanged). */
export const newRevision = observed(
  (c, e) => e.revision !== c.lastAppliedRevision && e.revision !== c.lastPromotedRevision,
);

/** The target went back to the spec the primary serves: a manual rollback, never a new release. */
export const revertedToPromoted = observed(
  (c, e) => e.revision === c.lastPromotedRevision && e.revision !== c.lastAppliedRevision,
);

export const targetMoved: Condition = (c, e) => newRevision(c, e) || revertedToPromoted(c, e);

/** The primary already runs the revision under analysis: a promote applied just before a crash. */
export const alreadyPromoted = observed(
  (c, e) => e.primaryRevision === c.lastAppliedRevision && c.lastAppliedRevision !== c.lastPromotedRevision,
);

export const primaryReady = observed((_, e) => e.primaryReady);

/** The primary finished rolling out the promoted revision (any revision when it is unknown). */
export const primaryPromoted = observed(
  (c, e) => e.primaryReady && (e.primaryRevision === null || e.primaryRevision === c.lastAppliedRevision),
);

export const canaryReady = observed((_, e) => e.canaryReady);
export const canaryNotReady = observed((_, e) => !e.canaryReady);
export const skipAnalysis = observed((_, e) => e.skipAnalysis);

export const deadlineExceeded = observed(
  (c, e) =>
    !e.canaryReady &&
    c.canaryNotReadySince !== null &&
    toMillis(e.now) - c.canaryNotReadySince >= c.plan.progressDeadlineSeconds * 1000,
);

export const stepDue = observed((c, e) => c.nextStepAt !== null && toMillis(e.now) >= c.nextStepAt);

export const clockRunning: Condition = (c) => c.canaryNotReadySince !== null;

/** Every webhook said yes and, for a gate with a manual hook, a promote command opened it. */
export const webhookPassed =
  (type: WebhookType): Condition =>
  (c, e) =>
    e.type === 'WEBHOOK_RESULT' && e.webhook === type && e.ok && (!isManualGate(c.plan, type) || c.approved);

export const webhookAnswered =
  (type: WebhookType): Condition =>
  (_, e) =>
    e.type === 'WEBHOOK_RESULT' && e.webhook === type;

export const configured =
  (type: WebhookType): Condition =>
  (c) =>
    hasWebhook(c.plan, type);

/** Only a pass advances; inconclusive counts as a failed check, as a query error does in Flagger. */
export const analysisPassed: Condition = (_, e) => e.type === 'ANALYSIS_RESULT' && e.verdict === 'pass';

/** Nothing exposed yet: Flagger runs the pre-rollout hooks instead of metrics on this step. */
export const firstStep: Condition = (c) => c.canaryWeight === 0 && c.iterations === 0;

export const thresholdReached: Condition = (c) => c.failedChecks >= c.plan.threshold;
export const promotionHeld: Condition = (c) => c.promotionHeld;
export const analysisComplete: Condition = (c) => exposureComplete(c.plan, c);

/** confirm-traffic-increase gates weight increases of canary releases only, as in Flagger. */
export const trafficIncreaseGated: Condition = (c) =>
  c.plan.strategy === 'canary' && hasWebhook(c.plan, 'confirm-traffic-increase');

export const advanceMovesTraffic: Condition = (c) =>
  advanceExposure(c.plan, c).canaryWeight !== c.canaryWeight;

/** Blue/green sends all traffic to the canary for one more checked interval before promoting. */
export const switchPending: Condition = (c) =>
  c.plan.strategy === 'bluegreen' && c.canaryWeight < TOTAL_WEIGHT;

export const canaryHasTraffic: Condition = (c) => c.canaryWeight > 0;

/** The next promotion shift gives the primary all traffic. */
export const lastShift: Condition = (c) =>
  nextPromotionWeights(c.plan, c.canaryWeight).primary === TOTAL_WEIGHT;

export const paused = observed((c) => c.paused);

/**
 * A readable command for the release in progress (or, in Failed, the release that failed), while
 * the target still has that revision and the Canary is neither suspended nor being deleted.
 */
const forThisRelease = (c: MachineContext, e: MachineEvent): e is CommandEvent =>
  e.type === 'COMMAND' &&
  e.error === undefined &&
  e.revision === c.lastAppliedRevision &&
  e.observed.revision === c.lastAppliedRevision &&
  !e.observed.suspended &&
  !e.observed.deleting;

export const command =
  (verb: CommandVerb): Condition =>
  (c, e) =>
    forThisRelease(c, e) && e.verb === verb && !(verb === 'promote' && e.full);

export const fullPromoteCommand: Condition = (c, e) => forThisRelease(c, e) && e.verb === 'promote' && e.full;

export const hasManualGate: Condition = (c) => hasManualGates(c.plan);

/** A failed release of a revision the primary does not serve (not one the target was reverted to). */
export const retriable: Condition = (c) => c.lastAppliedRevision !== c.lastPromotedRevision;

/**
 * The promotion cannot happen: the primary does not run the revision being promoted and the
 * target no longer has it (it moved before the promote was applied, e.g. across a crash).
 */
export const promotionLost = observed(
  (c, e) =>
    e.primaryRevision !== null &&
    e.primaryRevision !== c.lastAppliedRevision &&
    e.revision !== c.lastAppliedRevision,
);
