import { describe, expect, it } from 'vitest';
import { planOf, routeTarget } from '../../../operator/src/reconcile/derive.ts';
import { healthOf, promotedOf } from '../../../operator/src/status/health.ts';
import { phases } from '../../../operator/src/machine/index.ts';
import { testCanary } from '../support/canary.ts';

const canary = testCanary;

describe('planOf: the strategy follows from the fields, as in Flagger', () => {
  it.each([
    ['stepWeight', { stepWeight: 10, maxWeight: 50 }, { strategy: 'canary', stepWeight: 10, maxWeight: 50 }],
    [
      'stepWeights',
      { stepWeights: [5, 10, 30] },
      { strategy: 'canary', stepWeights: [5, 10, 30], maxWeight: 100 },
    ],
    ['iterations', { iterations: 4 }, { strategy: 'bluegreen', iterations: 4 }],
    [
      'iterations + match',
      { iterations: 4, match: [{ headers: { x: { exact: 'y' } } }] },
      { strategy: 'abtest', iterations: 4 },
    ],
  ])('%s', (_name, analysis, expected) => {
    const plan = planOf(canary(analysis));
    expect(plan).toMatchObject({
      ...expected,
      intervalMs: 30_000,
      threshold: 1,
      progressDeadlineSeconds: 600,
    });
  });

  it('collects the webhook types configured, once each', () => {
    const plan = planOf(
      canary({
        stepWeight: 10,
        webhooks: [
          { name: 'a', type: 'pre-rollout', url: 'http://127.0.0.1:1/a' },
          { name: 'b', type: 'pre-rollout', url: 'http://127.0.0.1:1/b' },
          { name: 'c', type: 'confirm-promotion', url: 'http://127.0.0.1:1/c' },
        ],
      }),
    );
    expect(plan.webhooks).toEqual(['pre-rollout', 'confirm-promotion']);
  });

  it('builds the route target from the service and names the Canary as owner', () => {
    const t = routeTarget(
      canary({ stepWeight: 10 }, { service: { name: 'front', port: 8080, gatewayRefs: [{ name: 'gw' }] } }),
    );
    expect(t).toMatchObject({
      apexService: 'front',
      primaryService: 'front-primary',
      canaryService: 'front-canary',
      port: 8080,
    });
    expect(t.owner).toEqual({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'web', uid: 'u1' });
  });

  it('session affinity: a canary plan says so, and the route carries cookies only for a release', () => {
    const sticky = canary({ stepWeight: 10, sessionAffinity: { cookieName: 'c', primaryCookieName: 'p' } });
    expect(planOf(sticky).sessionAffinity).toBe(true);
    expect(routeTarget(sticky).sessionAffinity).toBeUndefined();
    const sa = routeTarget(sticky, 'rev-1').sessionAffinity;
    expect(sa).toMatchObject({ canary: { name: 'c' }, primary: { name: 'p' }, maxAgeSeconds: 86_400 });
    expect(routeTarget(sticky, 'rev-2').sessionAffinity?.canary.value).not.toBe(sa?.canary.value);
    // A Canary without it ignores the key a persisted decision may carry.
    expect(routeTarget(canary({ stepWeight: 10 }), 'rev-1').sessionAffinity).toBeUndefined();
    expect(planOf(canary({ stepWeight: 10 })).sessionAffinity).toBeUndefined();
  });
});

describe('health from phase', () => {
  it.each(phases.map((p) => [p]))('%s maps to one kstatus verdict', (phase) => {
    const h = healthOf(phase, 'm');
    const expected =
      phase === 'Failed'
        ? 'stalled'
        : ['Initialized', 'Succeeded', 'Terminated'].includes(phase)
          ? 'ready'
          : 'reconciling';
    expect(h.kind).toBe(expected);
  });

  it.each([
    ['Succeeded', true, true],
    ['Initialized', true, true],
    ['Succeeded', false, false],
    ['Progressing', true, false],
    ['Failed', true, false],
  ] as const)('Promoted in %s (primary at target revision: %s) is %s', (phase, current, expected) => {
    expect(promotedOf(phase, current).status).toBe(expected);
  });
});
