// e2e of the loopback data plane's ingress-nginx mode (TEST INFRASTRUCTURE, docs/dataplane.md),
// without the operator: the test writes the canary Ingress fledge would write, and checks the split
// and that fledge's nginx builtin success-rate query runs on what a real Prometheus scraped.
import { AppsV1Api, NetworkingV1Api, type V1Ingress } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinQuery } from '../../../analysis/src/builtins.ts';
import { createPrometheusProvider } from '../../../analysis/src/prometheus.ts';
import { renderQuery } from '../../../analysis/src/render.ts';
import { startPrometheus, type Prometheus } from '../../env/prometheus.ts';
import { waitFor } from '../../env/wait.ts';
import { testKubeConfig, testNamespace } from '../../integration/support.ts';
import { demoDeployment, samplingTolerance } from './fixtures.ts';
import { startDataPlane, startLoad, type DataPlane } from './index.ts';

const p = 'nginx.ingress.kubernetes.io';

function canaryIngress(annotations: Record<string, string>): V1Ingress {
  const backend = { service: { name: 'web-canary', port: { number: 80 } } };
  return {
    metadata: { name: 'web-canary', annotations: { [`${p}/canary`]: 'true', ...annotations } },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host: 'web.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }],
    },
  };
}

describe('loopback data plane, ingress-nginx canary', () => {
  const kc = testKubeConfig();
  const net = kc.makeApiClient(NetworkingV1Api);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let dp: DataPlane;
  let prometheus: Prometheus;

  beforeAll(async () => {
    ns = await testNamespace(kc, 'dataplane-nginx');
    const apps = kc.makeApiClient(AppsV1Api);
    const version = { errorRate: 0, latencyMs: 1 };
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: demoDeployment('web-primary', { ...version, image: 'web:1' }),
    });
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: demoDeployment('web', { ...version, image: 'web:2' }),
    });
    await net.createNamespacedIngress({
      namespace: ns.name,
      body: canaryIngress({ [`${p}/canary-weight`]: '30' }),
    });
    dp = await startDataPlane({
      kubeConfig: kc,
      namespace: ns.name,
      app: 'web',
      provider: 'nginx',
      ingress: 'web',
      rps: 50,
    });
    prometheus = await startPrometheus({ scrape: [{ job: 'dataplane', targets: [dp.metricsTarget] }] });
  });

  afterAll(async () => {
    await dp?.stop();
    await prometheus?.stop();
    await ns?.remove();
  });

  it('splits by canary-weight, and the nginx builtin measures it in Prometheus', async () => {
    const counts = await startLoad({ url: dp.routerUrl, rps: 400, maxRequests: 2_000 }).done;
    const canary = counts.byBackend['web-canary']?.['200'] ?? 0;
    const main = counts.byBackend['web']?.['200'] ?? 0;
    expect(canary + main).toBe(2_000);
    expect(Math.abs(canary / 2_000 - 0.3)).toBeLessThanOrEqual(samplingTolerance(0.3, 2_000));

    const model = {
      name: 'web',
      namespace: ns.name,
      target: 'web',
      service: 'web',
      ingress: 'web',
      interval: '30s',
    };
    const query = renderQuery(builtinQuery('request-success-rate', 'nginx'), model);
    const provider = createPrometheusProvider({ address: prometheus.url, timeoutMs: 5_000 });
    await prometheus.waitForSeries(`nginx_ingress_controller_requests{namespace="${ns.name}", canary!=""}`);
    expect(
      await waitFor('a success rate', () => provider.query(query, new Date()), { intervalMs: 250 }),
    ).toBe(100);
  });

  it('sends requests with the canary header to the canary, others to the main Service', async () => {
    const live = await net.readNamespacedIngress({ namespace: ns.name, name: 'web-canary' });
    live.metadata = {
      ...live.metadata,
      annotations: { [`${p}/canary`]: 'true', [`${p}/canary-by-header`]: 'x-canary' },
    };
    const written = await net.replaceNamespacedIngress({
      namespace: ns.name,
      name: 'web-canary',
      body: live,
    });
    await waitFor('the router to follow the Ingress', () =>
      dp.observedSplit().source.endsWith(`resourceVersion ${written.metadata?.resourceVersion}`),
    );
    const tagged = startLoad({
      url: dp.routerUrl,
      rps: 200,
      maxRequests: 200,
      headers: { 'x-canary': 'always' },
    });
    const plain = startLoad({ url: dp.routerUrl, rps: 200, maxRequests: 200 });
    expect((await tagged.done).byBackend).toEqual({ 'web-canary': { '200': 200 } });
    expect((await plain.done).byBackend).toEqual({ web: { '200': 200 } });
  });
});
