import { describe, expect, it } from 'vitest';
import type { Effect, Plan, WebhookType } from '../../../operator/src/machine/index.ts';
import { Simulation, type Script } from '../../../operator/src/machine/simulate.ts';

/** Webhook gates: confirmations hold a release without failing it; failed checks count. */
const MINUTE = 60_000;
const plan = (webhooks: WebhookType[], over: Partial<Plan> = {}): Plan => ({
  strategy: 'canary',
  intervalMs: MINUTE,
  threshold: 2,
  maxWeight: 20,
  stepWeight: 10,
  progressDeadlineSeconds: 600,
  revertOnDeletion: false,
  webhooks,
  ...over,
});

function released(p: Plan, script: Script = {}): Simulation {
  const started = Simulation.start(p, 0, 'r0', script);
  if (!started.ok) throw new Error(started.error.message);
  return started.value.pass({ primaryReady: true }).pass({ revision: 'r1' }, 1000);
}

const asked = (effects: Effect[], type: WebhookType) =>
  effects.filter((e) => e.type === 'runWebhooks' && e.params.type === type).length;
const reasons = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'recordEvent' ? [e.params.reason] : []));

describe('confirm-rollout', () => {
  it('waits in Waiting, asking every interval, and scales the canary up only once approved', () => {
    const r = released(plan(['confirm-rollout']), { webhooks: { 'confirm-rollout': [false, false, true] } });
    expect(r.current.phase).toBe('Waiting');
    expect(r.effects.filter((e) => e.type === 'scaleCanary')).toEqual([]);
    r.until('Progressing');
    expect(r.now).toBe(1000 + 2 * MINUTE);
    expect(asked(r.effects, 'confirm-rollout')).toBe(3);
    expect(reasons(r.effects).filter((x) => x === 'WaitingApproval')).toHaveLength(1);
    expect(r.current.effects.map((e) => e.type)).toEqual(['scaleCanary', 'recordEvent', 'sendAlert']);
    r.until('Succeeded');
    expect(r.phases).toEqual([
      'Initializing',
      'Initialized',
      'Waiting',
      'Progressing',
      'Promoting',
      'Finalising',
      'Succeeded',
    ]);
  });

  it('asks again for a newer revision, and gives up a revision reverted before approval', () => {
    const r = released(plan(['confirm-rollout']), { webhooks: { 'confirm-rollout': [false, false] } });
    r.pass({ revision: 'r2' }, 1000);
    expect(r.current.phase).toBe('Waiting');
    expect(r.context.lastAppliedRevision).toBe('r2');
    r.pass({ revision: 'r0' }, 1000);
    expect(r.current.phase).toBe('Succeeded');
    expect(r.context).toMatchObject({ lastAppliedRevision: 'r0', lastPromotedRevision: 'r0' });
  });
});

describe('confirm-promotion', () => {
  it('holds in WaitingPromotion, analysis going on each interval, until approved', () => {
    const r = released(plan(['confirm-promotion']), {
      webhooks: { 'confirm-promotion': [false, false, true] },
    });
    r.until('WaitingPromotion');
    const analysesBefore = r.effects.filter((e) => e.type === 'runAnalysis').length;
    r.until('Promoting');
    expect(r.effects.filter((e) => e.type === 'runAnalysis').length - analysesBefore).toBe(2);
    expect(reasons(r.effects).filter((x) => x === 'WaitingPromotion')).toHaveLength(1);
    expect(r.effects.filter((e) => e.type === 'sendAlert' && e.params.severity === 'warn')).toHaveLength(1);
    expect(r.phases).toEqual(['Initializing', 'Initialized', 'Progressing', 'WaitingPromotion', 'Promoting']);
  });

  it('rolls back from WaitingPromotion when checks keep failing', () => {
    const r = released(plan(['confirm-promotion']), {
      analysis: ['pass', 'pass', 'fail', 'fail'],
      webhooks: { 'confirm-promotion': [false] },
    }).until('Failed');
    expect(r.phases.slice(-3)).toEqual(['Progressing', 'WaitingPromotion', 'Failed']);
    expect(r.effects.filter((e) => e.type === 'promote')).toEqual([]);
  });

  it('restarts from WaitingPromotion for a new revision', () => {
    const r = released(plan(['confirm-promotion']), { webhooks: { 'confirm-promotion': [false] } }).until(
      'WaitingPromotion',
    );
    r.pass({ revision: 'r2' }, 1000);
    expect(r.current.phase).toBe('Progressing');
    expect(r.context).toMatchObject({ canaryWeight: 0, promotionHeld: false, lastAppliedRevision: 'r2' });
  });
});

describe('other gates', () => {
  it('confirm-traffic-increase holds the weight for an interval without counting a failed check', () => {
    const r = released(plan(['confirm-traffic-increase']), {
      webhooks: { 'confirm-traffic-increase': [true, false] },
    });
    r.pass({}, MINUTE).pass({}, MINUTE);
    expect(r.context).toMatchObject({ canaryWeight: 10, failedChecks: 0 });
    expect(reasons(r.current.effects)).toEqual(['TrafficIncreaseHeld']);
    r.pass({}, MINUTE);
    expect(r.context.canaryWeight).toBe(20);
  });

  it('confirm-traffic-increase does not gate A/B testing', () => {
    const ab = plan(['confirm-traffic-increase'], {
      strategy: 'abtest',
      iterations: 2,
      maxWeight: undefined,
    });
    const r = released(ab).until('Succeeded');
    expect(asked(r.effects, 'confirm-traffic-increase')).toBe(0);
  });

  it('a rollback webhook stops the analysis while promotion waits for approval', () => {
    const r = released(plan(['confirm-promotion', 'rollback']), {
      webhooks: { 'confirm-promotion': [false], rollback: [false, false, false, true] },
    }).until('Failed');
    expect(r.phases.slice(-2)).toEqual(['WaitingPromotion', 'Failed']);
    expect(r.context.failureReason).toBe('rollbackWebhook');
  });

  it.each([
    { outcome: 'Succeeded', script: {} },
    { outcome: 'Failed', script: { analysis: ['fail', 'fail'] } as Script },
  ] as const)(
    'post-rollout runs once, fire and forget, when the release has $outcome',
    ({ outcome, script }) => {
      const r = released(plan(['post-rollout']), script).until(outcome);
      expect(asked(r.effects, 'post-rollout')).toBe(1);
      expect(asked(r.current.effects, 'post-rollout')).toBe(1);
      r.send({ type: 'WEBHOOK_RESULT', now: r.now, webhook: 'post-rollout', ok: false });
      expect(r.current).toMatchObject({ phase: outcome, effects: [] });
    },
  );
});
