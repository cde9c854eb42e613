import { and } from 'xstate';
import { alert, ask, promote, record, rollBack, runAnalysis, setWeights } from './actions.ts';
import type { WebhookType } from './plan.ts';

/** Guards of one webhook type: is it configured, did it answer, did it say yes. */
export const gate = (name: Exclude<WebhookType, 'event' | 'post-rollout'>) => ({
  configured: { type: 'configured', params: { webhook: name } } as const,
  passed: { type: 'webhookPassed', params: { webhook: name } } as const,
  answered: { type: 'webhookAnswered', params: { webhook: name } } as const,
});
const preRollout = gate('pre-rollout');
const rollout = gate('rollout');
const confirmTraffic = gate('confirm-traffic-increase');
const confirmPromotion = gate('confirm-promotion');
const rollbackHook = gate('rollback');

/**
 * One analysis step, entered when a step is due and the canary is ready. Flagger's order: the
 * rollback gate, then pre-rollout hooks on the first step (nothing exposed yet) or rollout hooks and
 * metrics on the others, then either more exposure (behind confirm-traffic-increase) or promotion
 * (behind confirm-promotion). Choice states without entry actions are left in the same transition;
 * the others emit one request and wait for its answer, which the reconciler gives in the same pass.
 */
export const analysisStep = {
  initial: 'rollbackGate',
  states: {
    rollbackGate: {
      always: [{ guard: rollbackHook.configured, target: 'askRollback' }, { target: 'check' }],
    },
    askRollback: {
      entry: ask('rollback'),
      on: {
        WEBHOOK_RESULT: [
          {
            guard: rollbackHook.passed,
            target: '#canary.failed',
            actions: ['failRollbackWebhook', ...rollBack],
          },
          { guard: rollbackHook.answered, target: 'check' },
        ],
      },
    },
    check: {
      always: [
        { guard: and(['firstStep', preRollout.configured]), target: 'askPreRollout' },
        { guard: 'firstStep', target: 'advance' },
        { guard: rollout.configured, target: 'askRollout' },
        { target: 'measure' },
      ],
    },
    askPreRollout: {
      entry: ask('pre-rollout'),
      on: {
        WEBHOOK_RESULT: [
          { guard: preRollout.passed, target: 'advance' },
          { guard: preRollout.answered, target: 'failedCheck' },
        ],
      },
    },
    askRollout: {
      entry: ask('rollout'),
      on: {
        WEBHOOK_RESULT: [
          { guard: rollout.passed, target: 'measure' },
          { guard: rollout.answered, target: 'failedCheck' },
        ],
      },
    },
    measure: {
      entry: runAnalysis,
      on: {
        ANALYSIS_RESULT: [{ guard: 'analysisPassed', target: 'advance' }, { target: 'failedCheck' }],
      },
    },
    failedCheck: {
      entry: ['countFailedCheck', record('checkFailed')],
      always: [
        {
          guard: 'thresholdReached',
          target: '#canary.failed',
          actions: ['failThreshold', ...rollBack],
        },
        { target: 'settle' },
      ],
    },
    advance: {
      always: [
        { guard: 'analysisComplete', target: 'promotionGate' },
        { guard: 'trafficIncreaseGated', target: 'askTrafficIncrease' },
        { target: 'increase' },
      ],
    },
    askTrafficIncrease: {
      entry: ask('confirm-traffic-increase'),
      on: {
        WEBHOOK_RESULT: [
          {
            guard: confirmTraffic.passed,
            target: 'increase',
            actions: { type: 'consumeApproval', params: { webhook: 'confirm-traffic-increase' } },
          },
          {
            guard: confirmTraffic.answered,
            target: 'settle',
            actions: record('trafficIncreaseHeld'),
          },
        ],
      },
    },
    increase: {
      always: [
        {
          guard: 'advanceMovesTraffic',
          target: 'settle',
          actions: ['advance', setWeights, record('advanced')],
        },
        { target: 'settle', actions: ['advance', record('advanced')] },
      ],
    },
    promotionGate: {
      always: [{ guard: confirmPromotion.configured, target: 'askPromotion' }, { target: 'promote' }],
    },
    askPromotion: {
      entry: ask('confirm-promotion'),
      on: {
        WEBHOOK_RESULT: [
          {
            guard: confirmPromotion.passed,
            target: 'promote',
            actions: { type: 'consumeApproval', params: { webhook: 'confirm-promotion' } },
          },
          { guard: and([confirmPromotion.answered, 'promotionHeld']), target: 'settle' },
          {
            guard: confirmPromotion.answered,
            target: 'settle',
            actions: ['holdPromotion', record('waitingPromotion'), alert('waitingPromotion')],
          },
        ],
      },
    },
    promote: {
      always: [
        {
          guard: 'switchPending',
          target: 'settle',
          actions: ['switchTraffic', setWeights, record('switched')],
        },
        { target: '#canary.promoting', actions: ['beginPromotion', promote, record('promoting')] },
      ],
    },
    /** The step is over: wait an interval, in WaitingPromotion while the promotion gate is shut. */
    settle: {
      always: [
        {
          guard: 'promotionHeld',
          target: '#canary.analysis.waitingPromotion',
          actions: 'scheduleNextStep',
        },
        { target: '#canary.analysis.idle', actions: 'scheduleNextStep' },
      ],
    },
  },
} as const;
