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
export const beforePromotion = (phase: string) =>
  [
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
    { guard: and(['promoteCommand', 'hasManualGate']), actions: ['approve', ...accept] },
    refuse(phase),
  ] as const;

/** Promoting and Finalising: the primary runs the new revision; only the pace can be held. */
export const duringPromotion = (phase: string) => [...holding, refuse(phase)] as const;

/** Failed: the failed revision can be analysed again without touching the Deployment. */
export const afterFailure = [
  { guard: 'retryCommand', target: '#canary.releasing', actions: ['startRelease', ...accept] },
  refuse('Failed'),
] as const;

export const refusedIn = (phase: string) => [refuse(phase)] as const;
