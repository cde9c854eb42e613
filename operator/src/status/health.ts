import type { Phase } from '../machine/index.ts';
import { Reason, type Health } from './conditions.ts';

/**
 * kstatus health of a canary from its phase: steady phases are Ready, a release in flight is
 * Reconciling, and a rolled-back release is Stalled until a new revision arrives (a user must act).
 */
export function healthOf(phase: Phase, message: string): Health {
  switch (phase) {
    case 'Initialized':
    case 'Succeeded':
    case 'Terminated':
      return { kind: 'ready', reason: Reason[phase], message };
    case 'Failed':
      return { kind: 'stalled', reason: Reason.Failed, message };
    case 'Initializing':
    case 'Waiting':
    case 'Progressing':
    case 'WaitingPromotion':
    case 'Promoting':
    case 'Finalising':
    case 'Terminating':
      return { kind: 'reconciling', reason: Reason[phase], message };
    default: {
      const unreachable: never = phase;
      throw new Error(`unknown phase ${String(unreachable)}`);
    }
  }
}

/** Flagger's Promoted condition: True once the primary serves the revision the target has. */
export function promotedOf(phase: Phase, promotedCurrent: boolean): { status: boolean; reason: Reason } {
  if (phase === 'Failed') return { status: false, reason: Reason.Failed };
  if (promotedCurrent && (phase === 'Initialized' || phase === 'Succeeded'))
    return { status: true, reason: Reason[phase] };
  return { status: false, reason: Reason.Progressing };
}
