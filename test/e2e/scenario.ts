// Shared by the demo (test/e2e/demo/main.ts) and the e2e tests (test/e2e/release.test.ts): one app
// under a gatewayapi Canary in its own namespace, with the real operator (its own process, watching
// only that namespace), the loopback data plane under steady load, and a real Prometheus scraping
// it, answering the example MetricTemplates. Nothing here imports vitest.
import { ApiextensionsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { CanaryStatus } from '../../operator/src/api/index.ts';
import { loadKubeConfig } from '../env/cluster.ts';
import { providerCrdFile } from '../env/provider-crds.ts';
import { startPrometheus, type Prometheus } from '../env/prometheus.ts';
import { waitFor } from '../env/wait.ts';
import { fixtures, initialized } from '../integration/operator/fixtures.ts';
import { startOperator, type OperatorProcess } from '../integration/operator/harness.ts';
import { behaviourAnnotations, demoDeployment, type AppVersion } from './dataplane/fixtures.ts';
import { startDataPlane, type DataPlane } from './dataplane/index.ts';
import type { MeshMetrics } from './dataplane/metrics.ts';

const file = (p: string) => fileURLToPath(new URL(p, import.meta.url));
export const crdFiles = () => [file('../../crds'), providerCrdFile('gatewayapi')];
const TEMPLATES = file('../../examples/metric-templates.yaml');

/**
 * Applies fledge's CRDs, the HTTPRoute CRD and any `extra` (server-side, so concurrent callers are
 * fine) and waits until fledge's and the HTTPRoute's are served.
 */
export async function installCrds(kubectl: string, kubeconfig: string, extra: string[] = []): Promise<void> {
  await promisify(execFile)(kubectl, [
    `--kubeconfig=${kubeconfig}`,
    'apply',
    '--server-side',
    '--force-conflicts',
    ...[...crdFiles(), ...extra].flatMap((f) => ['-f', f]),
  ]);
  const ext = loadKubeConfig(kubeconfig).makeApiClient(ApiextensionsV1Api);
  for (const name of [
    'canaries.fledge.dev',
    'metrictemplates.fledge.dev',
    'httproutes.gateway.networking.k8s.io',
  ]) {
    await waitFor(`CRD ${name} established`, async () => {
      const crd = await ext.readCustomResourceDefinition({ name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
}

export interface ScenarioOptions {
  kubeconfig: string;
  namespace: string;
  app?: string;
  /** The first version, promoted at initialization. */
  initial?: AppVersion;
  rps?: number;
  /** analysis.interval (Go duration). */
  interval?: string;
  threshold?: number;
  /** The query window of both checks, the templates' {{ interval }}. */
  metricInterval?: string;
  minSuccessRate?: number;
  maxLatencyMs?: number;
  /** Extra environment for the operator process. */
  operatorEnv?: Record<string, string>;
  /**
   * Check with Flagger's builtin request-success-rate and request-duration (answered from the
   * operator's --metrics-server) instead of the example MetricTemplates.
   */
  builtinMetrics?: boolean;
  /** Blue/green with traffic mirroring: `iterations` steps analysed on a copy of live traffic. */
  mirrorIterations?: number;
  /** The mesh metrics the data plane exports (default both), so a test sees which set was read. */
  meshMetrics?: MeshMetrics;
  /** Canary release steps instead of stepWeight 20 up to 60. */
  stepWeights?: number[];
  /** The Canary's provider and the routing object the data plane follows (default gatewayapi). */
  provider?: 'gatewayapi' | 'istio' | 'contour' | 'traefik';
  /** analysis.sessionAffinity of the Canary. */
  sessionAffinity?: { cookieName: string; primaryCookieName?: string; maxAge?: number };
}

export const stableVersion: AppVersion = {
  image: 'ghcr.io/stefanprodan/podinfo:6.0.0',
  errorRate: 0,
  latencyMs: 0,
};
export const version = (tag: string, behaviour: Partial<Omit<AppVersion, 'image'>> = {}): AppVersion => ({
  image: `ghcr.io/stefanprodan/podinfo:${tag}`,
  errorRate: behaviour.errorRate ?? 0,
  latencyMs: behaviour.latencyMs ?? 0,
});

/** The Canary of the scenario: gatewayapi (or istio), step 20 up to 60, the two example checks. */
export function canarySpec(app: string, o: ScenarioOptions): Record<string, unknown> {
  const interval = o.metricInterval ?? '6s';
  const gatewayapi = (o.provider ?? 'gatewayapi') === 'gatewayapi';
  return {
    provider: o.provider ?? 'gatewayapi',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
    service: gatewayapi ? { port: 80, gatewayRefs: [{ name: 'gateway' }] } : { port: 80 },
    progressDeadlineSeconds: 60,
    analysis: {
      interval: o.interval ?? '3s',
      threshold: o.threshold ?? 2,
      ...(o.mirrorIterations
        ? { iterations: o.mirrorIterations, mirror: true }
        : o.stepWeights
          ? { stepWeights: o.stepWeights }
          : { stepWeight: 20, maxWeight: 60 }),
      ...(o.sessionAffinity ? { sessionAffinity: o.sessionAffinity } : {}),
      metrics: [
        {
          name: o.builtinMetrics ? 'request-success-rate' : 'success-rate',
          ...(o.builtinMetrics ? {} : { templateRef: { name: 'canary-success-rate' } }),
          thresholdRange: { min: o.minSuccessRate ?? 99 },
          interval,
        },
        {
          name: o.builtinMetrics ? 'request-duration' : 'latency-p99',
          ...(o.builtinMetrics ? {} : { templateRef: { name: 'canary-latency-p99' } }),
          thresholdRange: { max: o.maxLatencyMs ?? 500 },
          interval,
        },
      ],
    },
  };
}

export interface Scenario {
  namespace: string;
  app: string;
  kc: KubeConfig;
  prometheus: Prometheus;
  dataPlane: DataPlane;
  operator: OperatorProcess;
  f: ReturnType<typeof fixtures>;
  status(): Promise<CanaryStatus>;
  waitForStatus(
    description: string,
    check: (s: CanaryStatus) => boolean,
    timeoutMs?: number,
  ): Promise<CanaryStatus>;
  /** Changes the app's image and behaviour; returns the lastAppliedSpec before the change. */
  release(v: AppVersion): Promise<string | undefined>;
  /** Stops the operator, the data plane and Prometheus, then deletes the namespace. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Stands the scenario up and returns once the Canary is Initialized and Prometheus has scraped the
 * data plane. On failure, stops whatever it had started before rethrowing.
 */
export async function startScenario(
  o: ScenarioOptions,
  progress: (what: string) => void = () => {},
): Promise<Scenario> {
  const app = o.app ?? 'podinfo';
  const ns = o.namespace;
  const kc = loadKubeConfig(o.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const f = fixtures(kc, ns);
  const undo: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const u of undo.splice(0).reverse()) await u().catch(() => {});
  };
  try {
    await core.createNamespace({ body: { metadata: { name: ns } } });
    undo.push(() => core.deleteNamespace({ name: ns }));
    await waitFor(`ServiceAccount default in ${ns}`, () =>
      core.readNamespacedServiceAccount({ name: 'default', namespace: ns }).then(() => true),
    );
    await f.createDeployment(demoDeployment(app, o.initial ?? stableVersion, 2));

    progress('data plane');
    const dataPlane = await startDataPlane({
      kubeConfig: kc,
      namespace: ns,
      app,
      rps: o.rps ?? 50,
      loadMaxDurationMs: 60 * 60_000,
      ...(o.meshMetrics ? { meshMetrics: o.meshMetrics } : {}),
      ...(o.provider ? { provider: o.provider } : {}),
    });
    undo.push(() => dataPlane.stop());

    progress('Prometheus');
    const prometheus = await startPrometheus({
      scrape: [{ job: 'dataplane', targets: [dataPlane.metricsTarget] }],
    });
    undo.push(() => prometheus.stop());
    await createTemplates(f, prometheus.url);

    progress('operator');
    const operator = await startOperator({
      kubeconfig: o.kubeconfig,
      namespace: ns,
      env: { FLEDGE_LOG_LEVEL: 'info', FLEDGE_METRICS_SERVER: prometheus.url, ...o.operatorEnv },
    });
    undo.push(() => operator.stop());

    progress('Canary');
    await f.createCanary(app, canarySpec(app, o));
    // An operator that dies (or is killed) ends every wait at once, with a reason, not at the deadline.
    let stopping = false;
    undo.push(async () => {
      stopping = true;
    });
    const died = operator.exited.then((code) => {
      if (!stopping) throw new Error(`the operator exited (${code ?? 'signal'}); log: ${operatorLog(ns)}`);
      return new Promise<never>(() => {});
    });
    died.catch(() => {});
    const waitForStatus = (d: string, check: (s: CanaryStatus) => boolean, timeoutMs = 60_000) =>
      Promise.race([f.waitForStatus(app, d, check, timeoutMs), died]);
    await waitForStatus('Initialized', initialized);
    // The primary serves the load now: wait until its requests are in Prometheus, so the first
    // analysis does not race Prometheus' first scrapes.
    await prometheus.waitForSeries(
      `http_requests_total{namespace="${ns}", service="${app}-primary"}`,
      60_000,
    );

    const status = async () => (await f.getCanary(app)).status ?? {};
    return {
      namespace: ns,
      app,
      kc,
      prometheus,
      dataPlane,
      operator,
      f,
      status,
      waitForStatus,
      release: async (v) => {
        const before = (await status()).lastAppliedSpec;
        await f.apps.patchNamespacedDeployment(
          {
            name: app,
            namespace: ns,
            body: {
              spec: {
                template: {
                  metadata: { annotations: behaviourAnnotations(v) },
                  spec: { containers: [{ name: 'app', image: v.image }] },
                },
              },
            },
          },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        );
        return before;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Where harness.ts keeps the operator's log. */
export const operatorLog = (namespace: string): string => join(tmpdir(), `fledge-operator-${namespace}.log`);

/** The example MetricTemplates, pointed at this scenario's Prometheus. */
async function createTemplates(f: ReturnType<typeof fixtures>, prometheusUrl: string): Promise<void> {
  const docs = parseAllDocuments(await readFile(TEMPLATES, 'utf8')).map(
    (d) => d.toJS() as { metadata: { name: string }; spec: { query: string } },
  );
  for (const d of docs) await f.createMetricTemplate(d.metadata.name, prometheusUrl, d.spec.query);
}
