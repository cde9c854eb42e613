import type { Phase } from '../machine/index.ts';
import { Reason, type Health } from './conditions.ts';

/** What a pass saw of the workloads, as the machine's OBSERVE has it. */
export interface Readiness {
  primaryReady: boolean;
  primaryReason: string;
  canaryReady: boolean;
  canaryReason: string;
}

export interface Waiting {
  health: Health;
  /** A Warning Event is recorded once the wait has passed its deadline. */
  overdue: boolean;
  /** When it becomes overdue (epoch ms), to requeue for; null once it is. */
  overdueAt: number | null;
}

/**
 * A release that cannot move for a reason outside the machine says so, instead of showing the
 * step it is stuck at. Pure. Two waits have no end of their own:
 * - analysis pauses while the primary is not ready (its metrics are no baseline, as in Flagger);
 * - a deletion with revertOnDeletion holds until the target can take the traffic back: removing the
 *   finalizer earlier would let the primary (owned by the Canary) be garbage-collected under live
 *   traffic.
 * Neither gives up: both are Reconciling with the reason, and Stalled (a person must look) once
 * they have lasted longer than progressDeadlineSeconds.
 */
export function waitingOf(
  phase: Phase,
  readiness: Readiness,
  times: { phaseStartedAt: number; nextStepAt: number | null },
  now: number,
  deadlineSeconds: number,
): Waiting | undefined {
  const analysing = phase === 'Progressing' || phase === 'WaitingPromotion';
  let reason: Reason;
  let message: string;
  let since: number;
  if (analysing && !readiness.primaryReady) {
    // Waiting only once a step is due and cannot be taken.
    if (times.nextStepAt === null || times.nextStepAt > now) return undefined;
    since = times.nextStepAt;
    reason = Reason.PrimaryNotReady;
    message = `analysis paused: primary not ready (${readiness.primaryReason})`;
  } else if (phase === 'Terminating' && !readiness.canaryReady) {
    since = times.phaseStartedAt;
    reason = Reason.TargetNotReady;
    message = `deletion held until the target can take the traffic back (${readiness.canaryReason})`;
  } else {
    return undefined;
  }
  const overdueAt = since + deadlineSeconds * 1000;
  const overdue = now >= overdueAt;
  return overdue
    ? {
        health: { kind: 'stalled', reason, message: `${message}, for more than ${deadlineSeconds}s` },
        overdue,
        overdueAt: null,
      }
    : { health: { kind: 'reconciling', reason, message }, overdue, overdueAt };
}
