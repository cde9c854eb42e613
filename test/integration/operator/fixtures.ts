import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
} from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import { GROUP, VERSION } from '../../../operator/src/controller.ts';
import type { CanaryStatus } from '../../../operator/src/api/index.ts';
import { waitFor } from '../../env/wait.ts';

export type CanaryObj = {
  metadata: { name: string; generation?: number; resourceVersion?: string };
  spec: Record<string, unknown>;
  status?: CanaryStatus;
};

/**
 * In `phase` and applied: a decision is persisted before its effects run (Ready=False, Applying),
 * and Ready turns True once they are, so a test that inspects the effects waits for this.
 */
export const settledIn =
  (phase: string) =>
  (s: CanaryStatus): boolean =>
    s.phase === phase && (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Initialized and applied: Ready is True only once the routes and Services are written. */
export const initialized = settledIn('Initialized');

/** Typed access to the objects operator tests create and inspect in one namespace. */
export function fixtures(kc: KubeConfig, namespace: string) {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const canaries = { group: GROUP, version: VERSION, namespace, plural: 'canaries' };
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  const deployment = (
    name: string,
    image: string,
    extra: Partial<V1Deployment['spec']> = {},
  ): V1Deployment => ({
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...extra,
    },
  });

  return {
    apps,
    core,
    custom,
    deployment,
    createDeployment: (d: V1Deployment) => apps.createNamespacedDeployment({ namespace, body: d }),
    readDeployment: (name: string) => apps.readNamespacedDeployment({ name, namespace }),
    /** A new revision: changes the image of the first container. */
    setImage: (name: string, image: string) =>
      apps.patchNamespacedDeployment(
        { name, namespace, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    createCanary: (name: string, spec: Record<string, unknown>, labels?: Record<string, string>) =>
      custom.createNamespacedCustomObject({
        ...canaries,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'Canary',
          metadata: { name, namespace, ...(labels ? { labels } : {}) },
          spec,
        },
      }),
    patchCanarySpec: (name: string, spec: Record<string, unknown>) =>
      custom.patchNamespacedCustomObject({ ...canaries, name, body: { spec } }, merge),
    labelCanary: (name: string, labels: Record<string, string>) =>
      custom.patchNamespacedCustomObject({ ...canaries, name, body: { metadata: { labels } } }, merge),
    annotateCanary: (name: string, annotations: Record<string, string>) =>
      custom.patchNamespacedCustomObject({ ...canaries, name, body: { metadata: { annotations } } }, merge),
    deleteCanary: (name: string) => custom.deleteNamespacedCustomObject({ ...canaries, name }),
    getCanary: async (name: string) =>
      (await custom.getNamespacedCustomObject({ ...canaries, name })) as CanaryObj,
    /** Waits until the canary's status satisfies `check`, returning that status. */
    waitForStatus: async (
      name: string,
      description: string,
      check: (s: CanaryStatus) => boolean,
      timeoutMs = 30_000,
    ): Promise<CanaryStatus> => {
      let last: CanaryStatus | undefined;
      try {
        return await waitFor(
          `canary ${namespace}/${name}: ${description}`,
          async () => {
            const c = (await custom.getNamespacedCustomObject({ ...canaries, name })) as CanaryObj;
            last = c.status;
            return c.status && check(c.status) ? c.status : undefined;
          },
          { timeoutMs, intervalMs: 100 },
        );
      } catch (err) {
        const { machine: _machine, ...shown } = last ?? {};
        throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(shown)}`, { cause: err });
      }
    },
    events: async (name: string) =>
      (
        await core.listNamespacedEvent({
          namespace,
          fieldSelector: `involvedObject.name=${name},involvedObject.kind=Canary`,
        })
      ).items,
    /** The leader election Lease of the operators started in this namespace. */
    readLease: async (name = 'fledge-leader') =>
      (await custom.getNamespacedCustomObject({
        group: 'coordination.k8s.io',
        version: 'v1',
        namespace,
        plural: 'leases',
        name,
      })) as { spec: { holderIdentity: string; leaseTransitions: number } },
    createMetricTemplate: (name: string, address: string, query: string) =>
      custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: 'metrictemplates',
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'MetricTemplate',
          metadata: { name, namespace },
          spec: { provider: { type: 'prometheus', address }, query },
        },
      }),
  };
}

/** A gatewayapi Canary over the success-rate MetricTemplate; `analysis` overrides the defaults. */
export function gatewayCanarySpec(
  app: string,
  analysis: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    provider: 'gatewayapi',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
    service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
    progressDeadlineSeconds: 60,
    analysis: {
      interval: '1s',
      threshold: 2,
      maxWeight: 60,
      stepWeight: 20,
      metrics: [
        {
          name: 'success-rate',
          templateRef: { name: 'success-rate' },
          thresholdRange: { min: 95 },
          interval: '30s',
        },
      ],
      ...analysis,
    },
    ...extra,
  };
}

/**
 * A loopback Prometheus target whose gauge values the test sets: the stand-in for an app's
 * metrics, scraped by the real Prometheus so the operator runs real PromQL over real samples.
 */
export async function startGaugeTarget(): Promise<{
  address: string;
  set(series: string, value: number): void;
  close(): void;
}> {
  const values = new Map<string, number>();
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end([...values].map(([k, v]) => `${k} ${v}`).join('\n') + '\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('no address');
  return {
    address: `127.0.0.1:${addr.port}`,
    set: (series, value) => values.set(series, value),
    close: () => server.close(),
  };
}
