import { and } from 'xstate';
import { alert, promote, record, rollBack } from './actions.ts';

/**
 * How each phase answers a person's command (docs/decisions/0007-manual-control.md). A command for
 * another revision, or one the phase does not allow, is refused and the refusal recorded; nothing
 * else changes. Listed per state, the last entry of each list is its refusal.
 */
const accept = ['acceptCommand', record('commandAccepted'), alert('command')] as const;

const refuse = (phase: string) =>
  ({ actions: [{ type: 'refuseCommand', params: { phase } }, record('commandRefused')] }) as const;

const holding = [
  { guard: 'pauseCommand', actions: ['pause', ...accept] },
  { guard: and(['resumeCommand', 'pausedNow']), actions: ['resume', ...accept] },
] as const;

/** Waiting and Progressing: the primary still runs the promoted revision, so everything is possible. */
const beforePromotion = [
  ...holding,
  {
    guard: 'abortCommand',
    target: '#canary.failed',
    actions: ['failAborted', ...accept, ...rollBack],
  },
  {
    guard: 'fullPromoteCommand',
    target: '#canary.promoting',
    actions: ['beginPromotion', ...accept, promote, record('promoting')],
  },
] as const;

/** Waiting: the release is held at confirm-rollout; a promote opens it now. */
export const inWaiting = [
  ...beforePromotion,
  { guard: and(['promoteCommand', 'hasManualGate']), actions: ['approveNow', ...accept] },
  refuse('Waiting'),
] as const;

/**
 * Progressing and WaitingPromotion: a promote opens the manual gate the release is held at now,
 * or the next one when the release reaches it, without hurrying the steps in between.
 */
export const inAnalysis = [
  ...beforePromotion,
  {
    guard: and(['promoteCommand', 'hasManualGate', 'promotionHeld']),
    actions: ['approveNow', ...accept],
  },
  { guard: and(['promoteCommand', 'hasManualGate']), actions: ['approve', ...accept] },
  refuse('Progressing'),
] as const;

/** Promoting and Finalising: the primary runs the new revision; only the pace can be held. */
export const duringPromotion = (phase: string) => [...holding, refuse(phase)] as const;

/** Failed: the failed revision can be analysed again without touching the Deployment. */
export const afterFailure = [
  {
    guard: and(['retryCommand', 'retriable']),
    target: '#canary.releasing',
    actions: ['startRelease', ...accept],
  },
  refuse('Failed'),
] as const;

export const refusedIn = (phase: string) => [refuse(phase)] as const;
