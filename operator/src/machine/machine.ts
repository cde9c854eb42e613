import { and } from 'xstate';
import {
  alert,
  ask,
  beginAnalysis,
  ensureRoutes,
  promote,
  record,
  rollBack,
  scaleDown,
  setWeights,
} from './actions.ts';
import { afterFailure, duringPromotion, inAnalysis, inWaiting, refusedIn } from './commands.ts';
import { initialContext } from './context.ts';
import { analysisStep, gate } from './pipeline.ts';
import { canarySetup } from './setup.ts';

const confirmRollout = gate('confirm-rollout');
const consumeRolloutApproval = { type: 'consumeApproval', params: { webhook: 'confirm-rollout' } } as const;

/** Deletion wins over everything, suspension over everything else; both come first in every OBSERVE list. */
const toTermination = {
  guard: 'deleting',
  target: '#canary.terminating',
  actions: 'beginTermination',
} as const;
const whileSuspended = { guard: 'suspended' } as const;

/** Initialized, Succeeded and Failed wait for a revision that is neither analysed nor promoted. */
const restingObserve = [
  toTermination,
  whileSuspended,
  { guard: 'newRevision', target: '#canary.releasing', actions: 'startRelease' },
  { guard: 'revertedToPromoted', actions: 'acceptRevert' },
] as const;
const resting = (phase: string) => ({ on: { OBSERVE: restingObserve, COMMAND: refusedIn(phase) } }) as const;

const abandon = [record('reverted'), 'abortRelease', setWeights, scaleDown] as const;

/**
 * Every phase and transition of a canary release. Pure: no timers, no promises, no I/O. Time comes
 * in as event `now`s, effects go out as typed placeholder actions the reconciler executes.
 */
export const canaryMachine = canarySetup.createMachine({
  id: 'canary',
  context: ({ input }) => initialContext(input),
  initial: 'initializing',
  on: { SET_PLAN: { actions: 'setPlan' }, COMMAND: refusedIn('this phase') },
  states: {
    initializing: {
      entry: ['ensureServices', 'ensurePrimary'],
      on: {
        OBSERVE: [
          toTermination,
          whileSuspended,
          {
            guard: 'primaryReady',
            target: 'initialized',
            // Routes to the primary before the target goes to zero: no request is left without pods.
            actions: [
              'initialize',
              ensureRoutes,
              'scaleTargetToZero',
              record('initialized'),
              alert('initialized'),
            ],
          },
          // Level-triggered like Flagger's initialization: a primary or Service deleted meanwhile comes back.
          { actions: ['ensureServices', 'ensurePrimary'] },
        ],
      },
    },
    initialized: resting('Initialized'),
    succeeded: resting('Succeeded'),
    failed: { on: { OBSERVE: restingObserve, COMMAND: afterFailure } },

    /** Transient: a release starts at the confirm-rollout gate when there is one. */
    releasing: {
      always: [
        { guard: confirmRollout.configured, target: 'waiting' },
        { target: 'analysis', actions: beginAnalysis },
      ],
    },

    waiting: {
      initial: 'asking',
      on: {
        OBSERVE: [
          toTermination,
          whileSuspended,
          { guard: 'newRevision', target: '.asking', reenter: true, actions: 'startRelease' },
          { guard: 'revertedToPromoted', target: 'succeeded', actions: abandon },
          { guard: 'paused' },
          { guard: 'stepDue', actions: [ask('confirm-rollout'), 'scheduleNextStep'] },
        ],
        COMMAND: inWaiting,
      },
      states: {
        asking: {
          entry: ask('confirm-rollout'),
          on: {
            WEBHOOK_RESULT: [
              {
                guard: confirmRollout.passed,
                target: '#canary.analysis',
                actions: [consumeRolloutApproval, ...beginAnalysis],
              },
              {
                guard: confirmRollout.answered,
                target: 'held',
                actions: ['scheduleNextStep', record('waitingApproval'), alert('waitingApproval')],
              },
            ],
          },
        },
        // Asked again every interval (the parent's stepDue); only an approval leaves.
        held: {
          on: {
            WEBHOOK_RESULT: {
              guard: confirmRollout.passed,
              target: '#canary.analysis',
              actions: [consumeRolloutApproval, ...beginAnalysis],
            },
          },
        },
      },
    },

    analysis: {
      initial: 'idle',
      on: {
        OBSERVE: [
          toTermination,
          { guard: 'suspended', actions: 'holdClock' },
          // Before any revision change: the primary already runs the analysed revision (a promote
          // applied just before a crash), so this release can only finish; a changed target is
          // released after it, as during Promoting.
          { guard: 'alreadyPromoted', target: 'promoting', actions: ['beginPromotion', record('adopted')] },
          {
            guard: 'newRevision',
            target: '.idle',
            reenter: true,
            actions: ['startRelease', 'startMirror', setWeights, record('restarted')],
          },
          { guard: 'revertedToPromoted', target: 'succeeded', actions: abandon },
          { guard: 'paused', actions: 'holdClock' },
          { guard: 'deadlineExceeded', target: 'failed', actions: ['failDeadline', ...rollBack] },
          { guard: 'canaryNotReady', actions: 'startClock' },
          {
            guard: 'skipAnalysis',
            target: 'succeeded',
            actions: ['succeed', setWeights, promote, scaleDown, record('skipped'), alert('skipped')],
          },
          // A step interrupted before its result (a crash between effect and answer) starts over.
          // An unready primary pauses the analysis, as in Flagger: its metrics are no baseline.
          { guard: and(['stepDue', 'primaryReady']), target: '.step', reenter: true, actions: 'clearClock' },
          { guard: 'clockRunning', actions: 'clearClock' },
        ],
        COMMAND: inAnalysis,
      },
      states: {
        idle: {},
        waitingPromotion: {},
        step: analysisStep,
      },
    },

    promoting: {
      on: {
        OBSERVE: [
          toTermination,
          whileSuspended,
          // The promote was never applied and the target no longer has the revision (it moved
          // across a crash): nothing can be promoted, so the release goes to what the target has.
          { guard: and(['promotionLost', 'revertedToPromoted']), target: 'succeeded', actions: abandon },
          {
            guard: and(['promotionLost', 'newRevision']),
            target: 'releasing',
            actions: ['startRelease', setWeights, record('restarted')],
          },
          // The analysed revision is still promoted; only traffic on the changed canary pods stops.
          {
            guard: and(['targetMoved', 'canaryHasTraffic']),
            actions: ['routeAllToPrimary', setWeights, record('movedDuringPromotion')],
          },
          { guard: 'paused' },
          {
            guard: and(['primaryPromoted', 'stepDue', 'lastShift']),
            target: 'finalising',
            actions: ['beginFinalising', setWeights, record('finalising')],
          },
          {
            guard: and(['primaryPromoted', 'stepDue']),
            actions: ['shiftPromotion', setWeights, record('shifted')],
          },
        ],
        COMMAND: duringPromotion('Promoting'),
      },
    },

    finalising: {
      on: {
        OBSERVE: [
          toTermination,
          whileSuspended,
          { guard: 'paused' },
          {
            guard: 'stepDue',
            target: 'succeeded',
            actions: ['succeed', scaleDown, record('succeeded'), alert('succeeded'), 'postRollout'],
          },
        ],
        COMMAND: duringPromotion('Finalising'),
      },
    },

    terminating: {
      entry: ['revertTarget', record('terminating')],
      on: {
        // Traffic goes back to the target only once it can serve it. Suspension does not hold a deletion.
        OBSERVE: {
          guard: 'canaryReady',
          target: 'terminated',
          actions: ['terminate', 'revertRoutes', record('terminated')],
        },
      },
    },
    terminated: {},
  },
});
