import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { parse } from 'yaml';
import { GROUP, VERSION, type FleetCanaryStatus } from '../../../operator/src/api/index.ts';
import { startCluster, type Cluster } from '../../env/cluster.ts';
import { startPrometheus, type Prometheus } from '../../env/prometheus.ts';
import { providerCrdFile } from '../../env/provider-crds.ts';
import { waitFor } from '../../env/wait.ts';
import { installFledgeCrds } from '../crds.ts';
import { fixtures, gatewayCanarySpec, initialized, startGaugeTarget } from '../operator/fixtures.ts';
import { startOperator, type OperatorProcess } from '../operator/harness.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

/** The namespace of the app and its Canary in every member cluster. */
export const APP_NS = 'shop';

export interface MemberEnv {
  name: string;
  cluster: Cluster;
  kc: KubeConfig;
  f: ReturnType<typeof fixtures>;
  operator: OperatorProcess;
}

/** The hub: the shared test cluster, in a namespace of its own, with fledge's CRDs and fleet controllers. */
export async function hubEnv(prefix: string) {
  const hubKc = testKubeConfig();
  const hubNs = await testNamespace(hubKc, prefix);
  await installFledgeCrds(hubKc);
  const hubs: OperatorProcess[] = [];
  const core = hubKc.makeApiClient(CoreV1Api);
  const custom = hubKc.makeApiClient(CustomObjectsApi);
  const fleets = { group: GROUP, version: VERSION, namespace: hubNs.name, plural: 'fleetcanaries' };
  return {
    hubKc,
    hubNs: hubNs.name,
    /** A cluster Secret with `kubeconfig` (the text) under the kubeconfig key. */
    registerCluster: async (
      name: string,
      labels: Record<string, string>,
      kubeconfig: string,
      annotations?: Record<string, string>,
    ) => {
      await core.createNamespacedSecret({
        namespace: hubNs.name,
        body: {
          metadata: { name, labels, ...(annotations ? { annotations } : {}) },
          data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
        },
      });
    },
    createSecret: (name: string, labels: Record<string, string>, data: Record<string, string>) =>
      core.createNamespacedSecret({ namespace: hubNs.name, body: { metadata: { name, labels }, data } }),
    createFleet: (name: string, spec: Record<string, unknown>) =>
      custom.createNamespacedCustomObject({
        ...fleets,
        body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'FleetCanary', metadata: { name }, spec },
      }),
    patchFleetSpec: (name: string, spec: Record<string, unknown>) =>
      custom.patchNamespacedCustomObject(
        { ...fleets, name, body: { spec } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    /** The whole FleetCanary, as GitOps agents read it. */
    fleetObject: (name: string) => custom.getNamespacedCustomObject({ ...fleets, name }) as Promise<unknown>,
    fleetStatus: async (name: string) =>
      ((await custom.getNamespacedCustomObject({ ...fleets, name })) as { status?: FleetCanaryStatus })
        .status,
    waitForFleet: async (
      name: string,
      description: string,
      check: (s: FleetCanaryStatus) => boolean,
      timeoutMs = 60_000,
    ): Promise<FleetCanaryStatus> => {
      let last: FleetCanaryStatus | undefined;
      try {
        return await waitFor(
          `fleet ${name}: ${description}`,
          async () => {
            last = (
              (await custom.getNamespacedCustomObject({ ...fleets, name })) as { status?: FleetCanaryStatus }
            ).status;
            return last && check(last) ? last : undefined;
          },
          { timeoutMs, intervalMs: 100 },
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last)}`, { cause: err });
      }
    },
    fleetEvents: async (name: string) =>
      (
        await core.listNamespacedEvent({
          namespace: hubNs.name,
          fieldSelector: `involvedObject.name=${name},involvedObject.kind=FleetCanary`,
        })
      ).items,
    /** SIGKILLs every fleet controller started so far. */
    killHubs: () => Promise.all(hubs.map((h) => h.kill())),
    startHub: async (env: Record<string, string> = {}) => {
      const hub = await startOperator({
        kubeconfig: inject('kubeconfig'),
        namespace: hubNs.name,
        entry: 'fleet',
        env: { FLEDGE_POLL_SECONDS: '1', ...env },
      });
      hubs.push(hub);
      return hub;
    },
    teardown: async () => {
      await Promise.all(hubs.map((h) => h.stop()));
      await hubNs.remove();
    },
  };
}
export type HubEnv = Awaited<ReturnType<typeof hubEnv>>;

/**
 * A hub and member clusters started for this file, each a real control plane running its own
 * fledge operator over the same app and Canary, whose success-rate checks read one real
 * Prometheus through a per-cluster series.
 */
export async function fleetEnv(memberNames: string[]) {
  const hub = await hubEnv('fleet');
  const target = await startGaugeTarget();
  const prometheus: Prometheus = await startPrometheus({
    scrape: [{ job: 'app', targets: [target.address] }],
  });
  const setSuccessRate = (member: string, v: number) =>
    target.set(`test_success_rate{cluster="${member}"}`, v);
  const clusters = await Promise.all(memberNames.map(() => startCluster({ nodes: 2 })));
  const members: MemberEnv[] = [];
  const teardown = async () => {
    await hub.teardown();
    await Promise.all(members.map((m) => m.operator.stop()));
    await Promise.all(clusters.map((c) => c.stop()));
    await prometheus.stop();
    target.close();
  };
  try {
    for (const [i, name] of memberNames.entries()) {
      const cluster = clusters[i]!;
      const kc = cluster.kubeConfig();
      await installFledgeCrds(kc, [providerCrdFile('gatewayapi')], cluster.kubeconfig);
      await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: APP_NS } } });
      const f = fixtures(kc, APP_NS);
      setSuccessRate(name, 99);
      await f.createMetricTemplate(
        'success-rate',
        prometheus.url,
        `max(test_success_rate{cluster="${name}"})`,
      );
      const operator = await startOperator({
        kubeconfig: cluster.kubeconfig,
        namespace: APP_NS,
        logName: `${hub.hubNs}-${name}`,
      });
      members.push({ name, cluster, kc, f, operator });
    }
    await prometheus.waitForSeries('test_success_rate');
  } catch (err) {
    await teardown();
    throw err;
  }
  return {
    ...hub,
    members,
    prometheus,
    setSuccessRate,
    member: (name: string) => members.find((m) => m.name === name)!,
    /** The app and its Canary, held at a manual confirm-rollout gate, in every member; waits until Initialized. */
    deployApp: async (app: string) => {
      for (const m of members) {
        await m.f.createDeployment(m.f.deployment(app, `example/${app}:1`));
        await m.f.createCanary(
          app,
          gatewayCanarySpec(app, { webhooks: [{ name: 'fleet', type: 'confirm-rollout' }] }),
        );
      }
      await Promise.all(members.map((m) => m.f.waitForStatus(app, 'Initialized', initialized)));
    },
    /**
     * The member's credentials in a cluster Secret on the hub: its kubeconfig, or (argocd) Argo CD's
     * cluster Secret form, `server` and a `config` with the same client certificate.
     */
    registerMember: async (
      name: string,
      labels: Record<string, string>,
      form: 'kubeconfig' | 'argocd' = 'kubeconfig',
    ) => {
      const text = await readFile(members.find((m) => m.name === name)!.cluster.kubeconfig, 'utf8');
      if (form === 'kubeconfig') return hub.registerCluster(name, labels, text);
      const k = parse(text) as {
        clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
        users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
      };
      const config = {
        tlsClientConfig: {
          caData: k.clusters[0]!.cluster['certificate-authority-data'],
          certData: k.users[0]!.user['client-certificate-data'],
          keyData: k.users[0]!.user['client-key-data'],
        },
      };
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      await hub.createSecret(
        name,
        { ...labels, 'argocd.argoproj.io/secret-type': 'cluster' },
        { name: b64(name), server: b64(k.clusters[0]!.cluster.server), config: b64(JSON.stringify(config)) },
      );
    },
    teardown,
  };
}
export type FleetEnv = Awaited<ReturnType<typeof fleetEnv>>;
