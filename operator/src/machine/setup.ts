import { assign, enqueueActions, setup } from 'xstate';
import * as is from './conditions.ts';
import type { MachineContext } from './context.ts';
import type { EffectParams, EffectType } from './effects.ts';
import type { MachineEvent, MachineInput } from './events.ts';
import { hasWebhook, type WebhookType } from './plan.ts';
import { routeOf } from './actions.ts';
import * as update from './updates.ts';

type Args = { context: MachineContext; event: MachineEvent };
type Condition = (context: MachineContext, event: MachineEvent) => boolean;
type Update = (context: MachineContext, event: MachineEvent) => Partial<MachineContext>;

const when =
  (condition: Condition) =>
  ({ context, event }: Args): boolean =>
    condition(context, event);

const apply = (change: Update) =>
  assign<MachineContext, MachineEvent, undefined, MachineEvent, never>(({ context, event }) =>
    change(context, event),
  );

/**
 * A typed placeholder: it never runs. `transition` returns it with resolved params and the
 * reconciler's executor performs it; an actor would find nothing to do.
 */
function effect<K extends EffectType>() {
  return (_args: unknown, _params: EffectParams[K]): void => {};
}

/** A placeholder whose effect needs no params, so the chart can name it with a plain string. */
function bareEffect() {
  return (_args: unknown, _params?: Record<string, never>): void => {};
}

/** Named guards, context changes and effect placeholders of the canary machine. */
export const canarySetup = setup({
  types: {
    context: {} as MachineContext,
    events: {} as MachineEvent,
    input: {} as MachineInput,
  },
  guards: {
    deleting: when(is.deleting),
    suspended: when(is.suspended),
    newRevision: when(is.newRevision),
    revertedToPromoted: when(is.revertedToPromoted),
    targetMoved: when(is.targetMoved),
    alreadyPromoted: when(is.alreadyPromoted),
    primaryReady: when(is.primaryReady),
    primaryPromoted: when(is.primaryPromoted),
    canaryReady: when(is.canaryReady),
    canaryNotReady: when(is.canaryNotReady),
    skipAnalysis: when(is.skipAnalysis),
    deadlineExceeded: when(is.deadlineExceeded),
    stepDue: when(is.stepDue),
    clockRunning: when(is.clockRunning),
    analysisPassed: when(is.analysisPassed),
    firstStep: when(is.firstStep),
    thresholdReached: when(is.thresholdReached),
    promotionHeld: when(is.promotionHeld),
    analysisComplete: when(is.analysisComplete),
    trafficIncreaseGated: when(is.trafficIncreaseGated),
    advanceMovesTraffic: when(is.advanceMovesTraffic),
    switchPending: when(is.switchPending),
    canaryHasTraffic: when(is.canaryHasTraffic),
    lastShift: when(is.lastShift),
    paused: when(is.paused),
    promoteCommand: when(is.command('promote')),
    fullPromoteCommand: when(is.fullPromoteCommand),
    abortCommand: when(is.command('abort')),
    retryCommand: when(is.command('retry')),
    pauseCommand: when(is.command('pause')),
    resumeCommand: when(is.command('resume')),
    hasManualGate: when(is.hasManualGate),
    pausedNow: ({ context }: Args) => context.paused,
    retriable: when(is.retriable),
    promotionLost: when(is.promotionLost),
    configured: ({ context, event }: Args, p: { webhook: WebhookType }) =>
      is.configured(p.webhook)(context, event),
    webhookPassed: ({ context, event }: Args, p: { webhook: WebhookType }) =>
      is.webhookPassed(p.webhook)(context, event),
    webhookAnswered: ({ context, event }: Args, p: { webhook: WebhookType }) =>
      is.webhookAnswered(p.webhook)(context, event),
  },
  actions: {
    setPlan: apply((_, event) => (event.type === 'SET_PLAN' ? { plan: event.plan } : {})),
    initialize: apply(update.initialize),
    startRelease: apply(update.startRelease),
    startMirror: apply(update.startMirror),
    /** A mirrored release routes the copy at once; any other plan has nothing to route here. */
    routeMirror: enqueueActions(({ context, enqueue }) => {
      if (context.mirror) enqueue({ type: 'setWeights', params: routeOf(context) });
    }),
    acceptRevert: apply(update.acceptRevert),
    abortRelease: apply(update.abortRelease),
    startClock: apply(update.startClock),
    clearClock: apply(update.clearClock),
    holdClock: apply(update.holdClock),
    scheduleNextStep: apply(update.scheduleNextStep),
    countFailedCheck: apply(update.countFailedCheck),
    advance: apply(update.advance),
    holdPromotion: apply(update.holdPromotion),
    switchTraffic: apply(update.switchTraffic),
    beginPromotion: apply(update.beginPromotion),
    shiftPromotion: apply(update.shiftPromotion),
    routeAllToPrimary: apply(update.routeAllToPrimary),
    beginFinalising: apply(update.beginFinalising),
    succeed: apply(update.succeed),
    failThreshold: apply(update.fail('threshold')),
    failDeadline: apply(update.fail('progressDeadline')),
    failRollbackWebhook: apply(update.fail('rollbackWebhook')),
    failAborted: apply(update.fail('aborted')),
    pause: apply(update.pause),
    resume: apply(update.resume),
    approve: apply(update.approve),
    approveNow: apply(update.approveNow),
    consumeApproval: assign<MachineContext, MachineEvent, { webhook: WebhookType }, MachineEvent, never>(
      ({ context, event }, params) => update.consumeApproval(params.webhook)(context, event),
    ),
    acceptCommand: apply(update.acceptCommand),
    refuseCommand: assign<MachineContext, MachineEvent, { phase: string }, MachineEvent, never>(
      ({ context, event }, params) => update.refuseCommand(params.phase)(context, event),
    ),
    beginTermination: apply(update.beginTermination),
    terminate: apply(update.terminate),
    ensurePrimary: bareEffect(),
    ensureServices: bareEffect(),
    ensureAutoscaler: bareEffect(),
    ensureRoutes: effect<'ensureRoutes'>(),
    setWeights: effect<'setWeights'>(),
    scaleCanary: effect<'scaleCanary'>(),
    scaleTargetToZero: bareEffect(),
    promote: effect<'promote'>(),
    runWebhooks: effect<'runWebhooks'>(),
    runAnalysis: effect<'runAnalysis'>(),
    recordEvent: effect<'recordEvent'>(),
    sendAlert: effect<'sendAlert'>(),
    revertTarget: bareEffect(),
    revertRoutes: bareEffect(),
    /** Post-rollout hooks are fire and forget (Flagger only logs their failures). */
    postRollout: enqueueActions(({ context, enqueue }) => {
      if (hasWebhook(context.plan, 'post-rollout')) {
        enqueue({
          type: 'runWebhooks',
          params: { type: 'post-rollout', revision: context.lastAppliedRevision },
        });
      }
    }),
  },
});
