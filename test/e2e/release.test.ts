// Releases end to end: the real operator (one process per scenario, watching only its namespace),
// the loopback data plane under steady load following the HTTPRoute the operator writes, and a real
// Prometheus scraping it, so every decision comes from real PromQL over real requests
// (test/e2e/scenario.ts, shared with `npm run demo`). Time only passes through waitFor deadlines.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CanaryStatus } from '../../operator/src/api/index.ts';
import { binaries } from '../env/binaries.ts';
import { providerCrdFile } from '../env/provider-crds.ts';
import { waitFor } from '../env/wait.ts';
import { recordStatuses } from '../integration/operator/recorder.ts';
import { samplingTolerance } from './dataplane/fixtures.ts';
import type { ObservedSplit } from './dataplane/index.ts';
import { startSessions, type Visit } from './dataplane/sessions.ts';
import { installCrds, startScenario, version, type Scenario, type ScenarioOptions } from './scenario.ts';

const canaryService = 'podinfo-canary';
const imageOf = async (s: Scenario, deployment: string) =>
  (await s.f.readDeployment(deployment)).spec?.template.spec?.containers[0]?.image;
const check = (status: CanaryStatus, name: string) => status.checks?.find((c) => c.name === name);
const dedupe = (xs: number[]) => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);

/** Keeps the last observed split of every routing object version, polled from the router. */
function sampleSplits(s: Scenario) {
  const bySource = new Map<string, ObservedSplit>();
  const take = () => {
    const split = s.dataPlane.observedSplit();
    bySource.set(split.source, split);
  };
  take();
  const timer = setInterval(take, 50);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return [...bySource.values()].sort((a, b) => a.since - b.since);
    },
  };
}

describe('releases end to end', () => {
  const kubeconfig = inject('kubeconfig');
  const started: Scenario[] = [];
  const scenario = async (prefix: string, o: Partial<ScenarioOptions> = {}) => {
    const s = await startScenario({
      kubeconfig,
      namespace: `${prefix}-${randomBytes(3).toString('hex')}`,
      rps: 50,
      interval: '3s',
      threshold: 2,
      ...o,
    });
    started.push(s);
    return s;
  };
  const stop = async (s: Scenario) => {
    await s.stop();
    started.splice(started.indexOf(s), 1);
  };

  beforeAll(async () => {
    await installCrds((await binaries()).kubectl, kubeconfig, [
      providerCrdFile('istio'),
      providerCrdFile('contour'),
      providerCrdFile('traefik'),
    ]);
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('promotes a healthy release, the router splitting traffic as the status says at every step', async () => {
    const s = await scenario('healthy');
    const rec = await recordStatuses(s.kc, s.namespace, s.app);
    const sampler = sampleSplits(s);
    await s.release(version('6.0.1'));
    const done = await s.waitForStatus('Succeeded', (st) => st.phase === 'Succeeded');
    const splits = sampler.stop();
    rec.stop();

    expect(done.failedChecks).toBe(0);
    expect(check(done, 'success-rate')).toMatchObject({ value: 100, min: 99, verdict: 'Pass' });
    expect(check(done, 'latency-p99')).toMatchObject({ max: 500, verdict: 'Pass' });
    expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.0.1').image);
    const steps = rec.steps();
    expect(steps.filter((x) => x.startsWith('Progressing:'))).toEqual([
      'Progressing:0',
      'Progressing:20',
      'Progressing:40',
      'Progressing:60',
    ]);
    expect(steps.slice(-3).map((x) => x.split(':')[0])).toEqual(['Promoting', 'Finalising', 'Succeeded']);

    // The weights the router followed, in order, are the weights the status reported.
    const routed = splits.filter((x) => x.weights.length > 0);
    const statusWeights = dedupe(rec.statuses().map((st) => st.canaryWeight ?? 0));
    expect(dedupe(routed.map((x) => x.weights[0]?.[canaryService] ?? 0))).toEqual(statusWeights);
    expect(statusWeights).toEqual([0, 20, 40, 60, 0]);
    // Under each step's route, the share of requests the canary got matches its weight.
    for (const w of [20, 40, 60]) {
      const split = routed.find((x) => x.weights[0]?.[canaryService] === w);
      expect(split, `a route at canary weight ${w}`).toBeDefined();
      const got = split!;
      expect(got.total).toBeGreaterThanOrEqual(50);
      const share = (got.byService[canaryService] ?? 0) / got.total;
      expect(Math.abs(share - w / 100)).toBeLessThanOrEqual(samplingTolerance(w / 100, got.total));
    }
    await stop(s);
  });

  it('rolls back a release that answers 30% of requests with errors', async () => {
    const s = await scenario('errors');
    const before = await imageOf(s, 'podinfo-primary');
    await s.release(version('6.0.2', { errorRate: 0.3 }));
    const failed = await s.waitForStatus('Failed', (st) => st.phase === 'Failed');
    expect(failed.failedChecks).toBe(2);
    expect(failed.canaryWeight).toBe(0);
    const rate = check(failed, 'success-rate');
    expect(rate).toMatchObject({ min: 99, verdict: 'Fail' });
    expect(rate?.value).toBeLessThan(95);
    expect(check(failed, 'latency-p99')?.verdict).toBe('Pass');
    expect(failed.message).toMatch(/rolled back/);
    expect(await imageOf(s, 'podinfo-primary')).toBe(before);
    // After the rollback every request goes to the primary again.
    const split = await waitForRouted(s, 0, 50);
    expect(split.byService[canaryService] ?? 0).toBe(0);
    await stop(s);
  });

  it('rolls back a release whose P99 latency breaches the bound (800 ms against 500)', async () => {
    const s = await scenario('latency');
    await s.release(version('6.0.3', { latencyMs: 800 }));
    const failed = await s.waitForStatus('Failed', (st) => st.phase === 'Failed');
    expect(failed.failedChecks).toBe(2);
    const latency = check(failed, 'latency-p99');
    expect(latency).toMatchObject({ max: 500, verdict: 'Fail' });
    expect(latency?.value).toBeGreaterThan(750);
    expect(check(failed, 'success-rate')?.verdict).toBe('Pass');
    expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.0.0').image);
    await stop(s);
  });

  // Flagger answers the builtin checks of a gatewayapi Canary with Istio's metrics; fledge does too
  // by default, or with Envoy's cluster stats under Contour's names (--gateway-api-metrics contour).
  // The loopback data plane exports only the set under test, so a query of the other set finds no
  // data and the release cannot pass.
  it.each([
    ['istio', {}],
    ['contour', { FLEDGE_GATEWAY_API_METRICS: 'contour' }],
    ['linkerd', { FLEDGE_GATEWAY_API_METRICS: 'linkerd' }],
  ] as const)(
    'gatewayapi builtin metrics read %s metrics: a healthy release promotes, a failing one rolls back',
    async (set, operatorEnv) => {
      // 200 requests a second: the canary's first seconds at weight 20 are then enough requests
      // that its 30% errors cannot read as the diluted ~94% by chance (at 50 they came within 2 sigma).
      const s = await scenario(`builtin-${set}`, {
        builtinMetrics: true,
        meshMetrics: set,
        operatorEnv,
        rps: 200,
      });
      await s.release(version('6.1.0'));
      const done = await s.waitForStatus('Succeeded', (st) => st.phase === 'Succeeded');
      expect(done.failedChecks).toBe(0);
      expect(check(done, 'request-success-rate')).toMatchObject({ value: 100, min: 99, verdict: 'Pass' });
      expect(check(done, 'request-duration')).toMatchObject({ max: 500, verdict: 'Pass' });
      expect(check(done, 'request-duration')?.value).toBeGreaterThan(0);
      expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.1.0').image);

      await s.release(version('6.1.1', { errorRate: 0.3 }));
      const failed = await s.waitForStatus('Failed', (st) => st.phase === 'Failed');
      const rate = check(failed, 'request-success-rate');
      expect(rate).toMatchObject({ min: 99, verdict: 'Fail' });
      // 30% errors on the canary alone: the query does not dilute it with the primary's traffic.
      expect(rate?.value).toBeLessThan(85);
      expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.1.0').image);
      await stop(s);
    },
  );

  // provider istio (contour): the data plane follows the VirtualService (HTTPProxy) fledge writes,
  // and Flagger's builtin checks read Istio's metrics of the canary workload (Envoy's cluster stats).
  it.each([
    ['istio', 'VirtualService'],
    ['contour', 'HTTPProxy'],
    ['traefik', 'TraefikService'],
  ] as const)(
    '%s: the data plane follows the %s step by step; builtin checks promote and roll back',
    async (provider, kind) => {
      const s = await scenario(provider, { provider, builtinMetrics: true, meshMetrics: provider });
      const sampler = sampleSplits(s);
      await s.release(version('6.4.0'));
      const done = await s.waitForStatus('Succeeded', (st) => st.phase === 'Succeeded');
      const splits = sampler.stop();
      expect(done.failedChecks).toBe(0);
      expect(check(done, 'request-success-rate')).toMatchObject({ value: 100, verdict: 'Pass' });
      expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.4.0').image);
      const routed = dedupe(
        splits.filter((x) => x.source.startsWith(kind)).map((x) => x.weights[0]?.[canaryService] ?? 0),
      );
      expect(routed, splits.map((x) => x.source).join(' | ')).toEqual([0, 20, 40, 60, 0]);
      for (const w of [20, 40, 60]) {
        const got = splits.find((x) => x.weights[0]?.[canaryService] === w)!;
        const share = (got.byService[canaryService] ?? 0) / got.total;
        expect(Math.abs(share - w / 100)).toBeLessThanOrEqual(samplingTolerance(w / 100, got.total));
      }

      await s.release(version('6.4.1', { errorRate: 0.3 }));
      const failed = await s.waitForStatus('Failed', (st) => st.phase === 'Failed');
      expect(check(failed, 'request-success-rate')?.value).toBeLessThan(85);
      expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.4.0').image);
      await stop(s);
    },
  );

  // Blue/green with mirroring: while analysed, every user request is answered by the primary and a
  // copy goes to the canary (RequestMirror); the checks judge the canary on those copies.
  it('mirrored blue/green: analyses the canary on copies, users always answered by the primary', async () => {
    const s = await scenario('mirror', { mirrorIterations: 3 });
    const sampler = sampleSplits(s);
    await s.release(version('6.2.0'));
    const done = await s.waitForStatus('Succeeded', (st) => st.phase === 'Succeeded');
    const splits = sampler.stop();
    expect(done.failedChecks).toBe(0);
    expect(check(done, 'success-rate')).toMatchObject({ value: 100, verdict: 'Pass' });
    const mirrored = splits.filter((x) => (x.mirrored[canaryService] ?? 0) > 0);
    expect(mirrored.length, 'a route that mirrored to the canary').toBeGreaterThan(0);
    for (const x of mirrored) expect(x.byService[canaryService] ?? 0).toBe(0);
    expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.2.0').image);
    // After the release no copy is sent any more.
    await waitFor('a route without the mirror', () => {
      const split = s.dataPlane.observedSplit();
      return split.total >= 20 && (split.mirrored[canaryService] ?? 0) === 0;
    });

    // A failing canary is rolled back on what its copies measured; no user saw its errors.
    const bad = sampleSplits(s);
    await s.release(version('6.2.1', { errorRate: 0.3 }));
    const failed = await s.waitForStatus('Failed', (st) => st.phase === 'Failed');
    const badSplits = bad.stop();
    expect(check(failed, 'success-rate')?.verdict).toBe('Fail');
    expect(check(failed, 'success-rate')?.value).toBeLessThan(95);
    expect(badSplits.some((x) => (x.mirrored[canaryService] ?? 0) > 0)).toBe(true);
    expect(badSplits.reduce((n, x) => n + (x.byService[canaryService] ?? 0), 0)).toBe(0);
    expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.2.0').image);
    await stop(s);
  });

  // Session affinity: a user the split sends to a side keeps it for the whole release through a
  // cookie the route sets, and drops the cookie once the release is over.
  it('session affinity: every user stays on the side the split first sent it to, until the release ends', async () => {
    const cookies = { cookieName: 'canary-session', primaryCookieName: 'primary-session', maxAge: 600 };
    const s = await scenario('sticky', { stepWeights: [40, 60], sessionAffinity: cookies });
    const users = startSessions({ url: s.dataPlane.routerUrl, users: 30, pauseMs: 150 });
    await s.release(version('6.3.0'));
    const done = await s.waitForStatus('Succeeded', (st) => st.phase === 'Succeeded');
    expect(done.failedChecks).toBe(0);
    expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.3.0').image);
    await waitFor('every user has dropped its cookies', () =>
      users.jars().every((jar) => Object.keys(jar).length === 0),
    );
    const visits = await users.stop();

    const given = (v: Visit, name: string) =>
      v.setCookies.find((c) => c.startsWith(`${name}=`) && !c.includes('Max-Age=0'));
    const expired = (v: Visit, name: string) =>
      v.setCookies.some((c) => c.startsWith(`${name}=`) && c.includes('Max-Age=0'));
    // Cookies are given by the side that answered, with the configured lifetime.
    const canaryGiven = visits.filter((v) => given(v, 'canary-session'));
    const primaryGiven = visits.filter((v) => given(v, 'primary-session'));
    expect(canaryGiven.length, 'users the split sent to the canary').toBeGreaterThan(0);
    expect(primaryGiven.length, 'users the split sent to the primary').toBeGreaterThan(0);
    for (const v of canaryGiven) expect(v.backend).toBe(canaryService);
    for (const v of primaryGiven) expect(v.backend).toBe('podinfo-primary');
    expect(given(canaryGiven[0]!, 'canary-session')).toMatch(/; Max-Age=600; Path=\/$/);

    // A visit with a cookie goes to that cookie's side, or (release over) to the primary, told to drop it.
    const withCanary = visits.filter((v) => v.sent['canary-session'] !== undefined);
    const withPrimary = visits.filter((v) => v.sent['primary-session'] !== undefined);
    expect(withCanary.filter((v) => v.backend === canaryService).length).toBeGreaterThan(0);
    for (const v of withCanary) {
      if (v.backend !== canaryService) {
        expect(v.backend).toBe('podinfo-primary');
        expect(expired(v, 'canary-session'), 'a canary cookie answered by the primary is expired').toBe(true);
      }
    }
    for (const v of withPrimary) expect(v.backend).toBe('podinfo-primary');
    expect(withPrimary.some((v) => expired(v, 'primary-session'))).toBe(true);
    // Nobody was sent to the canary except by the split or its cookie: no user saw both sides mid-release.
    for (let u = 0; u < 30; u++) {
      const mine = visits.filter((v) => v.user === u && Object.keys(v.sent).length > 0);
      const sides = new Set(mine.filter((v) => v.setCookies.length === 0).map((v) => v.backend));
      expect(sides.size, `user ${u} kept one side`).toBeLessThanOrEqual(1);
    }
    await stop(s);
  });

  it('never promotes while Prometheus is down mid-analysis and rolls back after the threshold', async () => {
    const s = await scenario('blind');
    await s.release(version('6.0.4'));
    await s.waitForStatus(
      'a passing step',
      (st) => st.phase === 'Progressing' && check(st, 'success-rate')?.verdict === 'Pass',
    );
    await s.prometheus.pause();
    const rec = await recordStatuses(s.kc, s.namespace, s.app);
    const atPause = (await s.status()).canaryWeight ?? 0;
    const failed = await s.waitForStatus('Failed', (st) => st.phase === 'Failed');
    rec.stop();
    expect(failed.failedChecks).toBe(2);
    expect(check(failed, 'success-rate')).toMatchObject({ value: null, verdict: 'Inconclusive' });
    const phases = rec.statuses().map((st) => st.phase);
    expect(phases).not.toContain('Promoting');
    expect(phases).not.toContain('Succeeded');
    expect(Math.max(...rec.statuses().map((st) => st.canaryWeight ?? 0))).toBeLessThanOrEqual(atPause);
    expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.0.0').image);
    await stop(s);
  });

  it('continues to promotion when Prometheus is back before the threshold', async () => {
    // A threshold well above the checks lost while Prometheus restarts and scrapes again.
    const s = await scenario('flaky', { threshold: 8 });
    await s.release(version('6.0.5'));
    await s.waitForStatus(
      'a passing step',
      (st) => st.phase === 'Progressing' && check(st, 'success-rate')?.verdict === 'Pass',
    );
    await s.prometheus.pause();
    const held = await s.waitForStatus('an inconclusive check', (st) => (st.failedChecks ?? 0) >= 1);
    expect(check(held, 'success-rate')).toMatchObject({ value: null, verdict: 'Inconclusive' });
    await s.prometheus.resume();
    const done = await s.waitForStatus('Succeeded', (st) => st.phase === 'Succeeded', 90_000);
    expect(done.failedChecks).toBeGreaterThanOrEqual(1);
    expect(done.failedChecks).toBeLessThan(8);
    expect(await imageOf(s, 'podinfo-primary')).toBe(version('6.0.5').image);
    await stop(s);
  });
});

/** The split under the first route at canary weight `w` that has routed at least `n` requests. */
function waitForRouted(s: Scenario, w: number, n: number): Promise<ObservedSplit> {
  return waitFor(`${n} requests under a route at canary weight ${w}`, () => {
    const split = s.dataPlane.observedSplit();
    return (split.weights[0]?.[canaryService] ?? -1) === w && split.total >= n ? split : undefined;
  });
}
