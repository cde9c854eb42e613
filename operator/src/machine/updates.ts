import type { FailureReason, MachineContext } from './context.ts';
import { toMillis, type CommandEvent, type MachineEvent } from './events.ts';
import { hasManualGates, isManualGate, type WebhookType } from './plan.ts';
import { advanceExposure, nextPromotionWeights, TOTAL_WEIGHT } from './schedule.ts';

/**
 * Context changes of the machine's transitions, as pure functions. Each returns the fields it
 * changes; the machine applies them with `assign` before the effects of the same transition, so
 * effect params are computed from the updated context.
 */
type Update = (context: MachineContext, event: MachineEvent) => Partial<MachineContext>;

const at = (event: MachineEvent): number => toMillis(event.now);
const revisionOf = (context: MachineContext, event: MachineEvent): string =>
  event.type === 'OBSERVE' ? event.revision : context.lastAppliedRevision;

const allToPrimary = { primaryWeight: TOTAL_WEIGHT, canaryWeight: 0, mirror: false } as const;
/** A pause or an approval belongs to one release: it ends with it. */
const noHold = { paused: false, approved: false } as const;

/** The first revision is promoted implicitly: whatever the primary was created from. */
export const initialize: Update = (context, event) => {
  const promoted =
    event.type === 'OBSERVE' ? (event.primaryRevision ?? event.revision) : context.lastAppliedRevision;
  return {
    ...allToPrimary,
    lastAppliedRevision: promoted,
    lastPromotedRevision: promoted,
    phaseStartedAt: at(event),
  };
};

/**
 * A release (or a restart for a newer revision) starts from nothing exposed. Its first step is due
 * as soon as the canary is ready, and the progress deadline runs from now: the canary is scaling
 * up or rolling out the new revision.
 */
export const startRelease: Update = (context, event) => ({
  ...allToPrimary,
  ...noHold,
  releaseStartedAt: at(event),
  lastAppliedRevision: revisionOf(context, event),
  failedChecks: 0,
  iterations: 0,
  phaseStartedAt: at(event),
  nextStepAt: at(event),
  canaryNotReadySince: at(event),
  promotionHeld: false,
  failureReason: null,
});

/** A blue/green release with mirroring copies live traffic to the canary while it is analysed. */
export const startMirror: Update = (context) => (context.plan.mirror ? { mirror: true } : {});

/** A manual rollback becomes the applied revision, so re-applying the failed one is new again (as in Flagger). */
export const acceptRevert: Update = (context, event) => ({ lastAppliedRevision: revisionOf(context, event) });

/** The target went back to the promoted revision mid-release: stop exposing the abandoned one. */
export const abortRelease: Update = (context, event) => ({
  ...allToPrimary,
  ...noHold,
  lastAppliedRevision: revisionOf(context, event),
  phaseStartedAt: at(event),
  nextStepAt: null,
  canaryNotReadySince: null,
  promotionHeld: false,
});

export const startClock: Update = (context, event) => ({
  canaryNotReadySince: context.canaryNotReadySince ?? at(event),
});
export const clearClock: Update = () => ({ canaryNotReadySince: null });

/** Time spent suspended does not count against the progress deadline. */
export const holdClock: Update = (context, event) => ({
  canaryNotReadySince: context.canaryNotReadySince === null ? null : at(event),
});

export const scheduleNextStep: Update = (context, event) => ({
  nextStepAt: at(event) + context.plan.intervalMs,
});

export const countFailedCheck: Update = (context) => ({ failedChecks: context.failedChecks + 1 });

export const advance: Update = (context) => {
  const next = advanceExposure(context.plan, context);
  return { ...next, primaryWeight: TOTAL_WEIGHT - next.canaryWeight, promotionHeld: false };
};

export const holdPromotion: Update = () => ({ promotionHeld: true });

export const switchTraffic: Update = (context) => ({
  primaryWeight: 0,
  canaryWeight: TOTAL_WEIGHT,
  mirror: false,
  iterations: context.iterations + 1,
  promotionHeld: false,
});

/** The first promotion shift is due as soon as the primary runs the promoted revision. */
export const beginPromotion: Update = (_, event) => ({
  phaseStartedAt: at(event),
  nextStepAt: at(event),
  canaryNotReadySince: null,
  promotionHeld: false,
});

export const shiftPromotion: Update = (context, event) => {
  const next = nextPromotionWeights(context.plan, context.canaryWeight);
  return {
    primaryWeight: next.primary,
    canaryWeight: next.canary,
    nextStepAt: at(event) + context.plan.intervalMs,
  };
};

export const routeAllToPrimary: Update = () => ({ ...allToPrimary });

/** Finalising lasts one interval, so the routers drain the canary before it is scaled down. */
export const beginFinalising: Update = (context, event) => ({
  ...allToPrimary,
  phaseStartedAt: at(event),
  nextStepAt: at(event) + context.plan.intervalMs,
});

export const succeed: Update = (context, event) => ({
  ...allToPrimary,
  ...noHold,
  lastPromotedRevision: context.lastAppliedRevision,
  phaseStartedAt: at(event),
  nextStepAt: null,
  canaryNotReadySince: null,
  promotionHeld: false,
});

export const fail =
  (reason: FailureReason): Update =>
  (_, event) => ({
    ...allToPrimary,
    ...noHold,
    failureReason: reason,
    phaseStartedAt: at(event),
    nextStepAt: null,
    canaryNotReadySince: null,
    promotionHeld: false,
  });

export const beginTermination: Update = (_, event) => ({
  ...noHold,
  // Deletion hands the routes back (revertRoutes) or to garbage collection: no copy goes on.
  mirror: false,
  phaseStartedAt: at(event),
  nextStepAt: null,
  canaryNotReadySince: null,
  promotionHeld: false,
});

export const terminate: Update = (_, event) => ({ phaseStartedAt: at(event) });

export const pause: Update = () => ({ paused: true });
export const resume: Update = () => ({ paused: false });

/** Opens the next manual gate of this release when the release reaches it; the pace is unchanged. */
export const approve: Update = () => ({ approved: true });

/** Opens the manual gate the release is held at, now: the gate is asked again at once. */
export const approveNow: Update = (_, event) => ({ approved: true, nextStepAt: at(event) });

/** A manual gate of this type was passed: the approval is used up, the next one needs its own. */
export const consumeApproval =
  (type: WebhookType): Update =>
  (context) =>
    isManualGate(context.plan, type) ? { approved: false } : {};

const commandText = (e: CommandEvent): string => `${e.verb}${e.full ? ' --full' : ''}`;

/** What status.lastCommand says about a command the machine handled. */
const handled = (event: CommandEvent, accepted: boolean, message: string): Partial<MachineContext> => ({
  lastCommand: { id: event.id, verb: event.verb, revision: event.revision, accepted, message, at: at(event) },
});

export const acceptCommand: Update = (_, event) =>
  event.type !== 'COMMAND'
    ? {}
    : handled(event, true, `${commandText(event)} of revision ${event.revision} accepted`);

/** Why a command does nothing: unreadable, for another release, or not possible in this phase. */
export const refuseCommand =
  (phase: string): Update =>
  (context, event) => {
    if (event.type !== 'COMMAND') return {};
    const why =
      event.error ??
      (event.revision !== context.lastAppliedRevision
        ? `${commandText(event)} is for revision ${event.revision}, but the release is ${context.lastAppliedRevision}`
        : event.observed.deleting
          ? 'the Canary is being deleted'
          : event.observed.suspended
            ? 'the Canary is suspended (spec.suspend); commands apply once it is not'
            : event.observed.revision !== context.lastAppliedRevision
              ? `the target has moved on to revision ${event.observed.revision}`
              : event.verb === 'promote' && !event.full && !hasManualGates(context.plan)
                ? `promote opens manual gates and this release has none; promote --full skips the analysis`
                : `${commandText(event)} does not apply while ${phase}`);
    return handled(event, false, `refused: ${why}`);
  };
