import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../operator/src/machine/index.ts';
import { MINUTE, ofType, plan, weightsSet } from './support.ts';
import { Simulation, type Script } from '../../../operator/src/machine/simulate.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');

function simulation(p: Plan, script: Script = {}): Simulation {
  const started = Simulation.start(p, new Date(T0).toISOString(), 'r0', script);
  if (!started.ok) throw new Error(started.error.message);
  return started.value;
}

/** A release initialized on r0 (primary ready at once) that has just detected r1. */
const released = (p: Plan, script: Script = {}) =>
  simulation(p, script).pass({ primaryReady: true }).pass({ revision: 'r1' }, 1000);

describe('initialization', () => {
  it('creates the primary and Services, then routes to the primary before scaling the target down', () => {
    const r = simulation(plan());
    expect(r.current.effects.map((e) => e.type)).toEqual(['ensureServices', 'ensurePrimary']);
    r.pass(); // primary still rolling out: initialization repeats its idempotent effects
    expect(r.current.phase).toBe('Initializing');
    expect(r.current.effects.map((e) => e.type)).toEqual(['ensureServices', 'ensurePrimary']);
    r.pass({ primaryReady: true }, 5000);
    expect(r.current.phase).toBe('Initialized');
    expect(r.current.effects.map((e) => e.type)).toEqual([
      'ensureRoutes',
      'scaleTargetToZero',
      'recordEvent',
      'sendAlert',
    ]);
    expect(r.current.effects[0]).toEqual({ type: 'ensureRoutes', params: { primary: 100, canary: 0 } });
    expect(r.context).toMatchObject({ lastPromotedRevision: 'r0', lastAppliedRevision: 'r0' });
  });

  it('records what the primary was created from when the target changed meanwhile', () => {
    const r = simulation(plan()).pass({ revision: 'r1', primaryReady: true });
    expect(r.context).toMatchObject({ lastPromotedRevision: 'r0', lastAppliedRevision: 'r0' });
    r.pass({}, 1000);
    expect(r.current.phase).toBe('Progressing');
    expect(r.context.lastAppliedRevision).toBe('r1');
  });
});

describe('full promotion', () => {
  it.each([
    { strategy: 'canary', p: plan(), weights: [10, 20, 30, 0], analyses: 3 },
    {
      strategy: 'canary, stepWeights',
      p: plan({ stepWeight: undefined, stepWeights: [5, 50], maxWeight: 50 }),
      weights: [5, 50, 0],
      analyses: 2,
    },
    {
      strategy: 'canary, stepWeightPromotion',
      p: plan({ stepWeightPromotion: 20 }),
      weights: [10, 20, 30, 10, 0],
      analyses: 3,
    },
    {
      strategy: 'abtest',
      p: plan({ strategy: 'abtest', iterations: 3, maxWeight: undefined, stepWeight: undefined }),
      weights: [100, 0],
      analyses: 3,
    },
    {
      strategy: 'bluegreen',
      p: plan({ strategy: 'bluegreen', iterations: 2, maxWeight: undefined, stepWeight: undefined }),
      weights: [100, 0],
      analyses: 3,
    },
  ])(
    '$strategy: Progressing to Succeeded, routes $weights, $analyses analyses',
    ({ p, weights, analyses }) => {
      const r = released(p).until('Succeeded');
      expect(r.phases).toEqual([
        'Initializing',
        'Initialized',
        'Progressing',
        'Promoting',
        'Finalising',
        'Succeeded',
      ]);
      expect(weightsSet(r)).toEqual(weights);
      expect(ofType(r.effects, 'runAnalysis')).toHaveLength(analyses);
      expect(ofType(r.effects, 'promote').map((e) => e.params.revision)).toEqual(['r1']);
      expect(r.current.effects.map((e) => e.type)).toEqual(['scaleCanary', 'recordEvent', 'sendAlert']);
      expect(r.context).toMatchObject({ lastPromotedRevision: 'r1', canaryWeight: 0, primaryWeight: 100 });
    },
  );

  it('pauses the analysis while the primary is not ready, as Flagger does', () => {
    const r = released(plan()).pass({ primaryReady: false }, MINUTE).pass({}, MINUTE);
    expect(r.context.canaryWeight).toBe(0);
    expect(r.current.requeueAt).toBeNull();
    r.pass({ primaryReady: true }, 1000);
    expect(r.context.canaryWeight).toBe(10);
  });

  it('waits for the primary to run the promoted revision before routing traffic back', () => {
    const r = released(plan()).until('Promoting');
    r.world.primaryReady = false;
    r.until('Finalising', 5);
    expect(r.current.phase).toBe('Promoting');
    r.pass({ primaryReady: true }, 1000);
    expect(r.current.phase).toBe('Finalising');
  });
});

describe('failed checks', () => {
  it.each(['fail', 'inconclusive'] as const)(
    'a %s check never advances and counts towards the threshold',
    (verdict) => {
      const r = released(plan({ threshold: 3 }), { analysis: ['pass', verdict] }).until('Progressing');
      r.pass({}, MINUTE).pass({}, MINUTE).pass({}, MINUTE);
      expect(r.context).toMatchObject({ canaryWeight: 20, failedChecks: 1 });
      expect(r.current.effects.map((e) => e.type)).toEqual(['recordEvent']);
      expect(r.current.effects[0]).toMatchObject({ params: { type: 'Warning', reason: 'CheckFailed' } });
    },
  );

  it.each([
    {
      cause: 'metrics',
      p: plan(),
      answers: { analysis: ['pass', 'fail', 'inconclusive'] } as Script,
      reason: 'threshold',
      weights: [10, 20, 0],
    },
    {
      cause: 'pre-rollout',
      p: plan({ webhooks: ['pre-rollout'] }),
      answers: { webhooks: { 'pre-rollout': [false, false] } },
      reason: 'threshold',
      weights: [0],
    },
    {
      cause: 'rollout hook',
      p: plan({ webhooks: ['rollout'] }),
      answers: { webhooks: { rollout: [false, false] } },
      reason: 'threshold',
      weights: [10, 0],
    },
    {
      cause: 'rollback hook',
      p: plan({ webhooks: ['rollback', 'post-rollout'] }),
      answers: { webhooks: { rollback: [false, true] } },
      reason: 'rollbackWebhook',
      weights: [10, 0],
    },
  ])('$cause: rolls back to the primary and scales the canary down', ({ p, answers, reason, weights }) => {
    const r = released(p, answers).until('Failed');
    expect(r.phases.slice(-2)).toEqual(['Progressing', 'Failed']);
    expect(weightsSet(r)).toEqual(weights);
    expect(ofType(r.effects, 'promote')).toEqual([]);
    const rollback = r.current.effects.filter(
      (e) => e.type !== 'runWebhooks' || e.params.type === 'post-rollout',
    );
    expect(rollback.slice(-5).map((e) => e.type)).toEqual(
      p.webhooks.includes('post-rollout')
        ? ['setWeights', 'scaleCanary', 'recordEvent', 'sendAlert', 'runWebhooks']
        : ['recordEvent', 'setWeights', 'scaleCanary', 'recordEvent', 'sendAlert'],
    );
    expect(ofType(r.current.effects, 'scaleCanary')).toEqual([
      { type: 'scaleCanary', params: { replicas: 0 } },
    ]);
    expect(ofType(r.current.effects, 'recordEvent').at(-1)?.params.message).toContain(
      'Canary failed! Scaling down',
    );
    expect(r.context).toMatchObject({ failureReason: reason, canaryWeight: 0, primaryWeight: 100 });
  });

  it('rolls back when the canary is not ready within progressDeadlineSeconds of scaling up', () => {
    const r = released(plan()).pass({ canaryReady: false }, 1000).until('Failed');
    expect(r.now - T0).toBeGreaterThanOrEqual(600_000);
    expect(ofType(r.effects, 'runAnalysis')).toEqual([]);
    expect(r.context.failureReason).toBe('progressDeadline');
    expect(ofType(r.current.effects, 'recordEvent')[0]?.params.message).toContain('progressDeadlineSeconds');
  });

  it('runs the deadline from when the canary stopped being ready, not from the start of the phase', () => {
    const r = released(plan({ maxWeight: 100 }))
      .pass({}, 500_000)
      .pass({ canaryReady: false }, 10 * MINUTE);
    expect(r.current.phase).toBe('Progressing');
    r.pass({}, 599_000);
    expect(r.current.phase).toBe('Progressing');
    r.pass({}, 1000);
    expect(r.current.phase).toBe('Failed');
  });
});

describe('new revisions', () => {
  it('restarts the analysis for a revision detected mid-analysis', () => {
    const r = released(plan(), { analysis: ['pass', 'fail'] });
    r.pass({}, MINUTE).pass({}, MINUTE).pass({}, MINUTE);
    expect(r.context).toMatchObject({ canaryWeight: 20, failedChecks: 1 });
    r.pass({ revision: 'r2' }, 1000);
    expect(r.current.effects).toEqual([
      { type: 'setWeights', params: { primary: 100, canary: 0 } },
      expect.objectContaining({ params: expect.objectContaining({ reason: 'RevisionRestarted' }) }),
    ]);
    expect(r.context).toMatchObject({
      lastAppliedRevision: 'r2',
      canaryWeight: 0,
      failedChecks: 0,
      iterations: 0,
    });
    r.until('Succeeded');
    expect(ofType(r.effects, 'promote').map((e) => e.params.revision)).toEqual(['r2']);
  });

  it('does not release a rollback to the last promoted revision, but releases the failed one again', () => {
    const r = released(plan({ threshold: 1 }), { analysis: ['fail'] }).until('Failed');
    r.pass({}, MINUTE).pass({ revision: 'r0' }, MINUTE);
    expect(r.current).toMatchObject({ phase: 'Failed', effects: [] });
    expect(r.context).toMatchObject({ lastAppliedRevision: 'r0', lastPromotedRevision: 'r0' });
    r.pass({ revision: 'r1' }, MINUTE);
    expect(r.current.phase).toBe('Progressing');
  });

  it('abandons a release whose target goes back to the promoted revision', () => {
    const r = released(plan()).until('Progressing').pass({}, MINUTE).pass({ revision: 'r0' }, 1000);
    expect(r.current.phase).toBe('Succeeded');
    expect(r.current.effects.map((e) => e.type)).toEqual(['recordEvent', 'setWeights', 'scaleCanary']);
    expect(ofType(r.effects, 'promote')).toEqual([]);
    expect(r.context).toMatchObject({ lastAppliedRevision: 'r0', lastPromotedRevision: 'r0' });
  });

  it('finishes a promotion when the target changes, with traffic off the changed canary, then releases the change', () => {
    const r = released(plan({ stepWeightPromotion: 10 }))
      .until('Promoting')
      .pass({}, MINUTE);
    expect(r.context.canaryWeight).toBe(20);
    r.pass({ revision: 'r2' }, 1000);
    expect(r.current.effects[0]).toEqual({ type: 'setWeights', params: { primary: 100, canary: 0 } });
    r.until('Succeeded');
    expect(r.context.lastPromotedRevision).toBe('r1');
    r.pass({}, 1000);
    expect(r.current.phase).toBe('Progressing');
    expect(r.context.lastAppliedRevision).toBe('r2');
  });
});

describe('blue/green with mirroring', () => {
  const bg = plan({
    strategy: 'bluegreen',
    iterations: 2,
    maxWeight: undefined,
    stepWeight: undefined,
    mirror: true,
  });
  const routes = (r: Simulation) =>
    ofType(r.effects, 'setWeights').map((e) => `${e.params.canary}${e.params.mirror ? '+mirror' : ''}`);

  it('copies live traffic to the canary while analysed, then switches without the copy', () => {
    const r = released(bg).until('Succeeded');
    expect(routes(r)).toEqual(['0+mirror', '100', '0']);
    expect(r.context.mirror).toBe(false);
  });

  it('stops the copy when the release is rolled back', () => {
    const r = released({ ...bg, threshold: 1 }, { analysis: ['fail'] }).until('Failed');
    expect(routes(r)).toEqual(['0+mirror', '0']);
    expect(r.context.mirror).toBe(false);
  });

  it('a plan without mirror never mirrors', () => {
    const r = released({ ...bg, mirror: undefined }).until('Succeeded');
    expect(routes(r)).toEqual(['100', '0']);
  });
});

describe('session affinity', () => {
  /** The `release` key of every route effect since effect number `from`. */
  const keys = (r: Simulation, from: number) => {
    const fx = r.effects.slice(from);
    return [...ofType(fx, 'setWeights'), ...ofType(fx, 'ensureRoutes')].map((e) => e.params.release);
  };

  it('keys every route of a release by its revision and start, so its cookies outlive no release', () => {
    const r = simulation(plan({ sessionAffinity: true })).pass({ primaryReady: true });
    expect(new Set(keys(r, 0))).toEqual(new Set(['r0@0'])); // at rest: no release yet (nobody's cookies)
    const releaseOf = (revision: string) => {
      const from = r.effects.length;
      r.pass({ revision }, 1000).until('Succeeded');
      const ks = new Set(keys(r, from));
      expect(ks.size, `one key for the whole release of ${revision}`).toBe(1);
      const [k] = [...ks];
      expect(k?.startsWith(`${revision}@`)).toBe(true);
      return k;
    };
    const first = releaseOf('r1');
    const second = releaseOf('r2');
    // The same revision released again (a revert and re-apply, a retry) gets cookies of its own.
    const again = releaseOf('r1');
    expect(new Set([first, second, again]).size).toBe(3);
  });

  it('a plan without it routes with no key, as before', () => {
    const r = released(plan()).until('Succeeded');
    expect(keys(r, 0).every((k) => k === undefined)).toBe(true);
  });
});
