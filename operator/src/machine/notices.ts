import type { FailureReason, MachineContext } from './context.ts';
import { EventReason, type EffectParams } from './effects.ts';
import type { MachineEvent } from './events.ts';
import { maxWeightOf } from './schedule.ts';

/**
 * Texts of the Kubernetes Events and alerts the machine asks for, close to Flagger's so existing
 * dashboards and habits carry over. The reconciler prefixes nothing: the Event's object names the
 * Canary. Each builder reads the context as it is at its place in the action list.
 */
type Args = { context: MachineContext; event: MachineEvent };
type Notice = EffectParams['recordEvent'];
type Alert = EffectParams['sendAlert'];

const normal = (reason: EventReason, message: string): Notice => ({ type: 'Normal', reason, message });
const warning = (reason: EventReason, message: string): Notice => ({ type: 'Warning', reason, message });

const observedRevision = ({ context, event }: Args): string =>
  event.type === 'OBSERVE' ? event.revision : context.lastAppliedRevision;

/** Why a step's check failed, from the result that failed it. */
function failedCheck(event: MachineEvent): string {
  if (event.type === 'WEBHOOK_RESULT') return `${event.webhook} webhook failed`;
  if (event.type !== 'ANALYSIS_RESULT') return 'check failed';
  const failing = event.checks.filter((c) => c.verdict !== 'pass');
  const names = failing.map((c) => (c.message ? `${c.name} (${c.message})` : `${c.name} ${c.verdict}`));
  return names.length > 0 ? `metric checks failed: ${names.join(', ')}` : `analysis ${event.verdict}`;
}

const rollbackCause: Record<FailureReason, (c: MachineContext) => string> = {
  threshold: (c) => `failed checks threshold reached ${c.failedChecks}/${c.plan.threshold}`,
  progressDeadline: (c) =>
    `canary not ready within progressDeadlineSeconds (${c.plan.progressDeadlineSeconds}s)`,
  rollbackWebhook: () => 'rollback webhook invoked',
  aborted: () => 'aborted by command',
};

const commandMessage = (c: MachineContext): string => c.lastCommand?.message ?? 'command';

export const notices = {
  initialized: ({ context }: Args) =>
    normal(
      EventReason.Initialized,
      `Initialization done! Primary serves revision ${context.lastPromotedRevision}`,
    ),
  newRevision: ({ context }: Args) =>
    normal(
      EventReason.NewRevision,
      `New revision ${context.lastAppliedRevision} detected! Scaling up the canary`,
    ),
  restarted: ({ context }: Args) =>
    normal(
      EventReason.RevisionRestarted,
      `New revision ${context.lastAppliedRevision} detected! Restarting analysis`,
    ),
  reverted: (args: Args) =>
    normal(
      EventReason.RevisionReverted,
      `Target reverted to promoted revision ${observedRevision(args)}: release of ${args.context.lastAppliedRevision} abandoned`,
    ),
  waitingApproval: ({ context }: Args) =>
    warning(
      EventReason.WaitingApproval,
      `Halt advancement of ${context.lastAppliedRevision}: waiting for approval`,
    ),
  checkFailed: ({ context, event }: Args) =>
    warning(
      EventReason.CheckFailed,
      `Halt advancement: ${failedCheck(event)} (failed checks ${context.failedChecks}/${context.plan.threshold})`,
    ),
  trafficIncreaseHeld: () =>
    normal(EventReason.TrafficIncreaseHeld, 'Halt advancement: waiting for traffic increase approval'),
  advanced: ({ context }: Args) =>
    context.plan.strategy === 'canary'
      ? normal(
          EventReason.Advanced,
          `Advance canary weight ${context.canaryWeight}/${maxWeightOf(context.plan)}`,
        )
      : normal(
          EventReason.Advanced,
          `Advance canary iteration ${context.iterations}/${context.plan.iterations}`,
        ),
  switched: () => normal(EventReason.Advanced, 'Routing all traffic to canary'),
  waitingPromotion: () =>
    warning(EventReason.WaitingPromotion, 'Halt advancement: waiting for promotion approval'),
  promoting: ({ context }: Args) =>
    normal(EventReason.Promoting, `Copying revision ${context.lastAppliedRevision} to the primary`),
  adopted: ({ context }: Args) =>
    normal(
      EventReason.Promoting,
      `Primary already runs revision ${context.lastAppliedRevision}; promotion continues`,
    ),
  movedDuringPromotion: ({ context }: Args) =>
    normal(
      EventReason.RevisionRestarted,
      `Target changed while ${context.lastAppliedRevision} is promoted: all traffic to the primary, the change is analysed next`,
    ),
  shifted: ({ context }: Args) =>
    normal(EventReason.PromotionShifted, `Advance primary weight ${context.primaryWeight}`),
  finalising: () => normal(EventReason.Promoting, 'Routing all traffic to primary'),
  succeeded: ({ context }: Args) =>
    normal(
      EventReason.Succeeded,
      `Promotion of ${context.lastPromotedRevision} completed! Scaling down the canary`,
    ),
  skipped: ({ context }: Args) =>
    normal(
      EventReason.Succeeded,
      `Promotion of ${context.lastPromotedRevision} completed! Canary analysis was skipped`,
    ),
  rolledBack: ({ context }: Args) =>
    warning(
      EventReason.RolledBack,
      `Rolling back ${context.lastAppliedRevision}: ${rollbackCause[context.failureReason ?? 'threshold'](context)}. Canary failed! Scaling down`,
    ),
  terminating: () => normal(EventReason.Terminating, 'Terminating canary: reverting the target'),
  terminated: () => normal(EventReason.Terminated, 'Terminated canary: traffic routed to the target'),
  commandAccepted: ({ context }: Args) => normal(EventReason.CommandAccepted, commandMessage(context)),
  commandRefused: ({ context }: Args) =>
    warning(EventReason.CommandRefused, `Command ${commandMessage(context)}`),
};

export const alerts = {
  initialized: (): Alert => ({ severity: 'info', message: 'New target detected, initialization completed.' }),
  newRevision: (): Alert => ({
    severity: 'info',
    message: 'New revision detected, progressing canary analysis.',
  }),
  waitingApproval: (): Alert => ({ severity: 'warn', message: 'Canary is waiting for approval.' }),
  waitingPromotion: (): Alert => ({ severity: 'warn', message: 'Canary is waiting for promotion approval.' }),
  succeeded: (): Alert => ({
    severity: 'info',
    message: 'Canary analysis completed successfully, promotion finished.',
  }),
  skipped: (): Alert => ({ severity: 'info', message: 'Canary analysis was skipped, promotion finished.' }),
  command: ({ context }: Args): Alert => ({
    severity: context.lastCommand?.verb === 'abort' ? 'warn' : 'info',
    message: `Manual command: ${commandMessage(context)}.`,
  }),
  rolledBack: ({ context }: Args): Alert => ({
    severity: context.failureReason === 'rollbackWebhook' ? 'warn' : 'error',
    message: `Canary failed: ${rollbackCause[context.failureReason ?? 'threshold'](context)}.`,
  }),
};
