// e2e of the loopback data plane (TEST INFRASTRUCTURE, docs/dataplane.md), without the operator: the
// test writes the Deployments and the HTTPRoute fledge would manage, and checks that the data plane
// follows them on the real API server and that a real Prometheus, scraping it, answers the example
// MetricTemplates (examples/metric-templates.yaml) with the values the backends were told to produce.
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrometheusProvider } from '../../analysis/src/prometheus.ts';
import type { MetricProvider } from '../../analysis/src/provider.ts';
import { renderQuery } from '../../analysis/src/render.ts';
import { binaries } from '../env/binaries.ts';
import { providerCrdFile } from '../env/provider-crds.ts';
import { startPrometheus, type Prometheus } from '../env/prometheus.ts';
import { waitFor } from '../env/wait.ts';
import { installFledgeCrds } from '../integration/crds.ts';
import { testKubeConfig, testNamespace } from '../integration/support.ts';
import {
  behaviourAnnotations,
  demoDeployment,
  samplingTolerance,
  weightedRoute,
} from './dataplane/fixtures.ts';
import { startDataPlane, startLoad, type DataPlane, type ObservedSplit } from './dataplane/index.ts';

const file = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const httpRoutes = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' };
const templates = { group: 'fledge.dev', version: 'v1alpha1', plural: 'metrictemplates' };
const rps = 200;
const interval = '10s';
const intervalMs = 10_000;
const stable = { image: 'registry.example/web:1.0.0', errorRate: 0, latencyMs: 5 };
const candidate = { image: 'registry.example/web:1.1.0', errorRate: 0, latencyMs: 150 };

describe('loopback data plane', () => {
  const kc = testKubeConfig();
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let dp: DataPlane;
  let prometheus: Prometheus;
  let provider: MetricProvider;
  let cpuStart: NodeJS.CpuUsage;
  let wallStart: number;
  let startedAt: number;

  const query = async (name: string) => {
    const t = (await custom.getNamespacedCustomObject({ ...templates, namespace: ns.name, name })) as {
      spec: { query: string };
    };
    const model = { name: 'web', namespace: ns.name, target: 'web', service: 'web', interval };
    return renderQuery(t.spec.query, model);
  };
  /** Waits until Prometheus holds a scrape taken `afterMs` after `since`: a window free of older samples. */
  const scrapedAfter = (since: number, afterMs: number) =>
    prometheus.waitForSeries(
      `max(timestamp(http_requests_total{namespace="${ns.name}"})) > ${(since + afterMs) / 1000}`,
      afterMs + 15_000,
    );
  /** The split under the route with resourceVersion `rv`, once it has `n` routed requests. */
  const splitOf = (rv: string, n: number) =>
    waitFor(`${n} requests routed by HTTPRoute resourceVersion ${rv}`, () => {
      const s = dp.observedSplit();
      return s.source.endsWith(`resourceVersion ${rv}`) && s.total >= n ? s : undefined;
    });
  const expectCanaryShare = (s: ObservedSplit, p: number) => {
    const canary = s.byService['web-canary'] ?? 0;
    const primary = s.byService['web-primary'] ?? 0;
    expect(canary + primary).toBe(s.total);
    expect(Math.abs(canary / s.total - p)).toBeLessThanOrEqual(samplingTolerance(p, s.total));
  };

  beforeAll(async () => {
    await installFledgeCrds(kc, [providerCrdFile('gatewayapi')]);
    ns = await testNamespace(kc, 'dataplane');
    await waitFor('HTTPRoutes to be served', async () => {
      await custom.listNamespacedCustomObject({ ...httpRoutes, namespace: ns.name });
      return true;
    });
    const { kubectl } = await binaries();
    await promisify(execFile)(kubectl, [
      `--kubeconfig=${inject('kubeconfig')}`,
      `--namespace=${ns.name}`,
      'apply',
      '-f',
      file('../../examples/metric-templates.yaml'),
    ]);
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: demoDeployment('web-primary', stable),
    });
    await apps.createNamespacedDeployment({ namespace: ns.name, body: demoDeployment('web', candidate) });
    await custom.createNamespacedCustomObject({
      ...httpRoutes,
      namespace: ns.name,
      body: weightedRoute(ns.name, 'web', 80, 20),
    });

    cpuStart = process.cpuUsage();
    wallStart = performance.now();
    startedAt = Date.now();
    dp = await startDataPlane({ kubeConfig: kc, namespace: ns.name, app: 'web', service: 'web', rps });
    prometheus = await startPrometheus({ scrape: [{ job: 'dataplane', targets: [dp.metricsTarget] }] });
    provider = createPrometheusProvider({ address: prometheus.url, timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await dp?.stop();
    await prometheus?.stop();
    await ns?.remove();
  });

  it('reads each slot from its Deployment', () => {
    expect(dp.backends.primary.state()).toMatchObject({
      deployment: 'web-primary',
      serving: true,
      version: '1.0.0',
    });
    expect(dp.backends.canary.state()).toMatchObject({ deployment: 'web', serving: true, version: '1.1.0' });
    expect(dp.backends.canary.state().behaviour).toEqual({ errorRate: 0, latencyMs: 150 });
  });

  it('splits traffic 80/20 as the HTTPRoute says', async () => {
    const route = (await custom.getNamespacedCustomObject({
      ...httpRoutes,
      namespace: ns.name,
      name: 'web',
    })) as {
      metadata: { resourceVersion: string };
    };
    const split = await splitOf(route.metadata.resourceVersion, 1_500);
    expect(split.weights).toEqual([{ 'web-primary': 80, 'web-canary': 20 }]);
    expectCanaryShare(split, 0.2);
  });

  it('answers the example MetricTemplates with the canary success rate and P99 latency', async () => {
    await scrapedAfter(startedAt, intervalMs);
    expect(await provider.query(await query('canary-success-rate'), new Date())).toBe(100);
    const p99 = await provider.query(await query('canary-latency-p99'), new Date());
    // 150 ms answers fall in the (150, 200] ms bucket; histogram_quantile interpolates inside it.
    expect(p99).toBeGreaterThanOrEqual(150);
    expect(p99).toBeLessThanOrEqual(250);
    const primaryP99 = await provider.query(
      (await query('canary-latency-p99')).replaceAll('service="web-canary"', 'service="web-primary"'),
      new Date(),
    );
    expect(primaryP99).toBeLessThan(50);
    console.info(`healthy canary: P99 ${p99.toFixed(1)} ms (primary ${primaryP99.toFixed(1)} ms)`);
  });

  it('follows a change of the HTTPRoute weights', async () => {
    const route = (await custom.getNamespacedCustomObject({
      ...httpRoutes,
      namespace: ns.name,
      name: 'web',
    })) as {
      metadata: { resourceVersion: string };
      spec: { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> };
    };
    for (const ref of route.spec.rules[0]?.backendRefs ?? []) ref.weight = 50;
    const updated = (await custom.replaceNamespacedCustomObject({
      ...httpRoutes,
      namespace: ns.name,
      name: 'web',
      body: route,
    })) as { metadata: { resourceVersion: string } };
    const split = await splitOf(updated.metadata.resourceVersion, 1_000);
    expect(split.weights).toEqual([{ 'web-primary': 50, 'web-canary': 50 }]);
    expectCanaryShare(split, 0.5);
  });

  it("follows the canary Deployment's pod template", async () => {
    const live = await apps.readNamespacedDeployment({ namespace: ns.name, name: 'web' });
    const template = live.spec?.template;
    if (!template?.metadata || !template.spec) throw new Error('Deployment web has no pod template');
    template.metadata.annotations = behaviourAnnotations({ errorRate: 0.5, latencyMs: 150 });
    const first = template.spec.containers[0];
    if (first) first.image = 'registry.example/web:1.2.0';
    const written = Date.now();
    await apps.replaceNamespacedDeployment({ namespace: ns.name, name: 'web', body: live });
    await waitFor(
      'the canary slot to take the new template',
      () => dp.backends.canary.state().version === '1.2.0',
      {
        timeoutMs: 5_000,
        intervalMs: 10,
      },
    );
    const changed = Date.now();
    console.info(`canary behaviour applied ${changed - written} ms after the Deployment write`);
    expect(dp.backends.canary.state().behaviour).toEqual({ errorRate: 0.5, latencyMs: 150 });

    const probe = await startLoad({ url: dp.routerUrl, rps, maxRequests: 800 }).done;
    const canary = probe.byBackend['web-canary'] ?? {};
    const canaryTotal = (canary['200'] ?? 0) + (canary['500'] ?? 0);
    expect(Object.keys(canary).sort()).toEqual(['200', '500']);
    expect(Math.abs((canary['500'] ?? 0) / canaryTotal - 0.5)).toBeLessThanOrEqual(
      samplingTolerance(0.5, canaryTotal),
    );
    expect(probe.byBackend['web-primary']).toEqual({ '200': expect.any(Number) });
    expect(probe.failed).toBe(0);

    // Once a whole interval of samples is newer than the change, the success rate is the canary's
    // 50% within sampling error (about 100 canary requests a second over 10 s).
    await scrapedAfter(changed, intervalMs + 1_000);
    const rate = await provider.query(await query('canary-success-rate'), new Date());
    console.info(
      `failing canary: success rate ${rate.toFixed(1)}% in Prometheus, ${canary['500']} of ${canaryTotal} probes 500`,
    );
    expect(Math.abs(rate - 50)).toBeLessThanOrEqual(100 * samplingTolerance(0.5, 900));
    const versions = await prometheus.query(
      `sum by (version) (rate(http_requests_total{namespace="${ns.name}", service="web-canary"}[5s])) > 0`,
    );
    expect(versions.map((s) => s.metric['version'])).toEqual(['1.2.0']);
  });

  it('never exceeds the requested rate, and reports what it achieved and cost', () => {
    const counts = dp.load?.counts();
    if (!counts) throw new Error('no load');
    const wallMs = performance.now() - wallStart;
    const cpu = process.cpuUsage(cpuStart);
    const achieved = counts.sent / (counts.elapsedMs / 1000);
    console.info(
      `load: ${counts.sent} requests in ${(counts.elapsedMs / 1000).toFixed(1)} s = ${achieved.toFixed(1)} rps ` +
        `(asked ${rps}), dropped ${counts.dropped}, failed ${counts.failed}; test process CPU ` +
        `${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)}% of one core over ${(wallMs / 1000).toFixed(1)} s`,
    );
    expect(counts.failed).toBe(0);
    // Never above the asked rate (the generator is bounded); below it only when the machine lags.
    expect(counts.sent + counts.dropped).toBeLessThanOrEqual((rps * counts.elapsedMs) / 1000 + 1);
  });
});
