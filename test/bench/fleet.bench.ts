// Benchmark: the fleet controller with many member "clusters". Each member is a namespace of one
// of a few real API servers (its cluster Secret points at that server and names the namespace
// with fledge.dev/canary-namespace), running one Canary under the member operator of that server.
// One release goes through two waves. Reports the hub's memory, its pass time, and the time from
// wave one's end (last promotion plus soak) to wave two's gates opening.
// Run: npm run bench:fleet [-- --members 100 --servers 2 --first 10 --soak 5s --poll 5]
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CanaryStatus, FleetCanaryStatus } from '../../operator/src/api/index.ts';
import { durationMs } from '../../operator/src/api/index.ts';
import { startCluster, type Cluster } from '../env/cluster.ts';
import { waitFor } from '../env/wait.ts';
import { startOperator, type OperatorProcess } from '../integration/operator/harness.ts';
import { installFledgeCrdsWith } from './install.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '100' },
    servers: { type: 'string', default: '2' },
    first: { type: 'string', default: '10' },
    soak: { type: 'string', default: '5s' },
    poll: { type: 'string', default: '5' },
  },
});
const M = Number(values.members);
const S = Number(values.servers);
const FIRST = Number(values.first);
const SOAK_MS = durationMs(values.soak)!;

async function procMemory(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
const memberNs = (i: number) => `m-${i}`;
const serverOf = (i: number) => i % S;
const group = { group: 'fledge.dev', version: 'v1alpha1' };

const clusters: Cluster[] = [];
const procs: OperatorProcess[] = [];
try {
  clusters.push(...(await Promise.all(Array.from({ length: S + 1 }, () => startCluster()))));
  const [hub, ...servers] = clusters as [Cluster, ...Cluster[]];
  await Promise.all(clusters.map((c) => installFledgeCrdsWith(c.kubectl, c.kubeconfig)));
  console.log(`hub ${hub.server}; ${S} member servers; ${M} members`);

  // Members: a namespace with the app and its gated Canary on one of the servers.
  const spec = {
    provider: 'gatewayapi',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
    analysis: {
      interval: '1s',
      threshold: 1,
      maxWeight: 50,
      stepWeight: 50,
      webhooks: [{ name: 'fleet', type: 'confirm-rollout' }],
    },
  };
  const kcs: KubeConfig[] = servers.map((c) => c.kubeConfig());
  for (let i = 0; i < M; i++) {
    const kc = kcs[serverOf(i)]!;
    const namespace = memberNs(i);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'app', image: 'web:1' }] },
          },
        },
      },
    });
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...group,
      namespace,
      plural: 'canaries',
      body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'web' }, spec },
    });
  }
  for (const c of servers) {
    procs.push(
      await startOperator({
        kubeconfig: c.kubeconfig,
        namespace: '',
        logName: `bench-fleet-${c.server.replace(/\W/g, '')}`,
        env: { FLEDGE_LOG_LEVEL: 'warn', FLEDGE_LEASE_NAMESPACE: 'default' },
      }),
    );
  }
  const canary = (i: number) =>
    kcs[serverOf(i)]!.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      ...group,
      namespace: memberNs(i),
      plural: 'canaries',
      name: 'web',
    }) as Promise<{ status?: CanaryStatus }>;
  const all = () => Promise.all(Array.from({ length: M }, (_, i) => canary(i)));
  await waitFor(
    'every member Initialized',
    async () => (await all()).every((c) => c.status?.phase === 'Initialized'),
    {
      timeoutMs: 600_000,
      intervalMs: 500,
    },
  );

  // The hub: one Secret per member, one FleetCanary, the fleet controller.
  const hubKc = hub.kubeConfig();
  const core = hubKc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'fleet' } } });
  const kubeconfigs = await Promise.all(servers.map((c) => readFile(c.kubeconfig, 'utf8')));
  for (let i = 0; i < M; i++) {
    await core.createNamespacedSecret({
      namespace: 'fleet',
      body: {
        metadata: {
          name: `c-${i}`,
          labels: { fleet: 'bench', wave: i < FIRST ? 'one' : 'two' },
          annotations: { 'fledge.dev/canary-namespace': memberNs(i) },
        },
        data: { kubeconfig: Buffer.from(kubeconfigs[serverOf(i)]!).toString('base64') },
      },
    });
  }
  const custom = hubKc.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    ...group,
    namespace: 'fleet',
    plural: 'fleetcanaries',
    body: {
      apiVersion: 'fledge.dev/v1alpha1',
      kind: 'FleetCanary',
      metadata: { name: 'web' },
      spec: {
        canaryRef: { namespace: 'unused', name: 'web' },
        clusters: 'fleet=bench',
        waves: [
          { name: 'one', clusters: 'wave=one', soakTime: values.soak },
          { name: 'two', clusters: '' },
        ],
      },
    },
  });
  const hubProc = await startOperator({
    kubeconfig: hub.kubeconfig,
    namespace: 'fleet',
    entry: 'fleet',
    logName: 'bench-fleet-hub',
    env: { FLEDGE_LOG_LEVEL: 'warn', FLEDGE_POLL_SECONDS: values.poll },
  });
  procs.push(hubProc);
  const fleet = async () =>
    (
      (await custom.getNamespacedCustomObject({
        ...group,
        namespace: 'fleet',
        plural: 'fleetcanaries',
        name: 'web',
      })) as {
        status?: FleetCanaryStatus;
      }
    ).status;
  await waitFor('fleet Idle', async () => (await fleet())?.phase === 'Idle', { timeoutMs: 60_000 });
  const idle = await procMemory(hubProc.pid);

  // The release: every member's Deployment gets the new image at once, as GitOps agents sync it.
  const merge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: M }, (_, i) =>
      kcs[serverOf(i)]!.makeApiClient(AppsV1Api).patchNamespacedDeployment(
        {
          name: 'web',
          namespace: memberNs(i),
          body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'web:2' }] } } } },
        },
        merge,
      ),
    ),
  );
  let peakRss = idle.rssMb;
  const done = await waitFor(
    'fleet Succeeded',
    async () => {
      peakRss = Math.max(peakRss, (await procMemory(hubProc.pid)).rssMb);
      const s = await fleet();
      return s?.phase === 'Succeeded'
        ? s
        : s?.phase === 'Halted'
          ? Promise.reject(new Error(s.message))
          : undefined;
    },
    { timeoutMs: 900_000, intervalMs: 500 },
  );
  const releaseMs = Date.now() - t0;
  const statuses = await all();
  const wave1End = Date.parse(done.waves![0]!.promotedAt!) + SOAK_MS;
  const approvals = (done.clusters ?? [])
    .filter((c) => c.wave === 'two')
    .map((c) => Date.parse(c.approvedAt!));
  const handled = statuses.slice(FIRST).map((c) => Date.parse(c.status!.lastCommand!.time));
  const metrics = await (await fetch(`${hubProc.metricsUrl}/metrics`)).text();
  const sum = (name: string) =>
    metrics
      .split('\n')
      .filter((l) => l.startsWith(name))
      .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
  const passes = sum('fledge_fleet_pass_duration_seconds_count');
  const result = {
    members: M,
    servers: S,
    firstWave: FIRST,
    soakSeconds: SOAK_MS / 1000,
    pollSeconds: Number(values.poll),
    releaseSeconds: releaseMs / 1000,
    hubRssMb: {
      idle: Math.round(idle.rssMb),
      peak: Math.round(Math.max(peakRss, (await procMemory(hubProc.pid)).peakMb)),
    },
    passSeconds: {
      mean: Number((sum('fledge_fleet_pass_duration_seconds_sum') / passes).toFixed(3)),
      passes,
    },
    wave2GatesAfterWave1Soak: {
      firstApprovalSeconds: (Math.min(...approvals) - wave1End) / 1000,
      lastApprovalSeconds: (Math.max(...approvals) - wave1End) / 1000,
      lastMemberAcceptedSeconds: (Math.max(...handled) - wave1End) / 1000,
    },
    commandsAccepted: statuses.filter((c) => c.status?.lastCommand?.accepted).length,
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await Promise.all(procs.map((p) => p.stop()));
  await Promise.all(clusters.map((c) => c.stop()));
}
