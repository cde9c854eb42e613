// Benchmark: N canaries released at once on the local control plane. Reports initialization and
// release throughput, new-revision detection latency, reconcile latency, operator memory, and
// Kubernetes API calls per canary and per step. Run: npm run bench [-- --canaries 50]
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster } from '../env/cluster.ts';
import { waitFor } from '../env/wait.ts';
import { installFledgeCrdsWith } from './install.ts';
import { countRequests, operatorIdentity, total } from './identity.ts';
import { startOperator } from '../integration/operator/harness.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '0' },
    canaries: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '32' },
    // A directory: the operator writes a V8 heap snapshot there once the first release is done.
    'heap-snapshot': { type: 'string' },
  },
});
const N = Number(values.canaries);

/** Resident memory now and its high-water mark, from /proc (as the side-by-side harness reads them). */
async function procMemory(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
const ns = 'bench';

const cluster = await startCluster({ audit: true });
let op: Awaited<ReturnType<typeof startOperator>> | undefined;
console.log(`cluster ${cluster.server} in ${cluster.dir}`);
try {
  const kc = cluster.kubeConfig();
  await installFledgeCrdsWith(cluster.kubectl, cluster.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await waitFor(
    'default ServiceAccount',
    async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: ns })).metadata,
  );
  const names = Array.from({ length: N }, (_, i) => `app-${i}`);
  for (const name of names) {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'app', image: 'bench:1' }] },
          },
        },
      },
    });
  }
  const identity = await operatorIdentity(kc, cluster.dir, ns);
  const calls = async () => total(await countRequests(cluster.dir, identity.username));
  op = await startOperator({
    kubeconfig: identity.kubeconfig,
    namespace: ns,
    env: {
      FLEDGE_LOG_LEVEL: 'warn',
      FLEDGE_CONCURRENCY: values.concurrency,
      ...(values['heap-snapshot']
        ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${values['heap-snapshot']}` }
        : {}),
    },
  });
  const phases = async () => {
    const list = (await custom.listNamespacedCustomObject({
      group: 'fledge.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'canaries',
    })) as {
      items: Array<{ metadata: { name: string }; status?: { phase?: string; lastAppliedSpec?: string } }>;
    };
    return list.items;
  };
  const spec = (name: string) => ({
    provider: 'gatewayapi',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
    analysis: { interval: '1s', threshold: 1, maxWeight: 50, stepWeight: 25 },
  });

  const t0 = Date.now();
  const calls0 = await calls();
  for (const name of names) {
    await custom.createNamespacedCustomObject({
      group: 'fledge.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'canaries',
      body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name }, spec: spec(name) },
    });
  }
  await waitFor(
    'all Initialized',
    async () => (await phases()).filter((c) => c.status?.phase === 'Initialized').length === N,
    { timeoutMs: 600_000, intervalMs: 250 },
  );
  const initMs = Date.now() - t0;
  const rssIdleMb = (await procMemory(op.pid)).rssMb;
  const initCalls = (await calls()) - calls0;

  const before = new Map((await phases()).map((c) => [c.metadata.name, c.status?.lastAppliedSpec]));
  const t1 = Date.now();
  const calls1 = await calls();
  const merge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  const patchedAt = new Map<string, number>();
  for (const name of names) {
    patchedAt.set(name, Date.now());
    await apps.patchNamespacedDeployment(
      {
        name,
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'bench:2' }] } } } },
      },
      merge,
    );
  }
  const detected = new Map<string, number>();
  await waitFor(
    'all Succeeded',
    async () => {
      const items = await phases();
      for (const c of items) {
        if (!detected.has(c.metadata.name) && c.status?.lastAppliedSpec !== before.get(c.metadata.name))
          detected.set(c.metadata.name, Date.now());
      }
      return items.filter((c) => c.status?.phase === 'Succeeded').length === N;
    },
    { timeoutMs: 900_000, intervalMs: 100 },
  );
  const releaseMs = Date.now() - t1;
  const releaseCalls = (await calls()) - calls1;
  const detection = names
    .map((n) => (detected.get(n) ?? NaN) - (patchedAt.get(n) ?? NaN))
    .sort((a, b) => a - b);
  const pct = (xs: number[], p: number) =>
    xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

  const metrics = await (await fetch(`${op.metricsUrl}/metrics`)).text();
  const passes = Number(/^fledge_reconcile_duration_seconds_count (\S+)/m.exec(metrics)?.[1] ?? NaN);
  const sum = Number(/^fledge_reconcile_duration_seconds_sum (\S+)/m.exec(metrics)?.[1] ?? NaN);
  const rssMb = Number(/^fledge_process_resident_memory_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  const heapMb = Number(/^fledge_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  // Upper bucket bounds of a histogram's quantile (Prometheus text format), in ms.
  const quantileMs = (name: string, q: number): string => {
    // Summed over label sets (a verb label): cumulative counts per upper bound.
    const byLe = new Map<number, number>();
    for (const m of metrics.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\S+)`, 'gm'))) {
      const raw = /le="([^"]+)"/.exec(m[1] ?? '')?.[1];
      const le = raw === '+Inf' ? Infinity : Number(raw);
      byLe.set(le, (byLe.get(le) ?? 0) + Number(m[2]));
    }
    const buckets = [...byLe].sort(([a], [b]) => a - b);
    const all = buckets.at(-1)?.[1] ?? 0;
    const hit = buckets.find(([, n]) => n >= q * all);
    return hit ? (hit[0] === Infinity ? '> max bucket' : `<= ${hit[0] * 1000} ms`) : 'n/a';
  };
  const count = (name: string) => Number(new RegExp(`^${name}_count (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);
  const sumOf = (name: string) => Number(new RegExp(`^${name}_sum (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);
  // A release here: detect, 25, 50, promote, finalise, succeed.
  const steps = 2;
  const rows: Array<[string, string]> = [
    ['canaries', String(N)],
    [
      'initialization, all canaries',
      `${(initMs / 1000).toFixed(1)} s (${((N * 1000) / initMs).toFixed(1)} canaries/s)`,
    ],
    ['API calls per initialization', (initCalls / N).toFixed(1)],
    ['release (2 steps of 1 s + promotion), all canaries', `${(releaseMs / 1000).toFixed(1)} s`],
    [
      'new revision to status, p50 / p99 / max',
      `${pct(detection, 50)} / ${pct(detection, 99)} / ${detection.at(-1)} ms (status polled every 100 ms)`,
    ],
    ['API calls per release', (releaseCalls / N).toFixed(1)],
    ['API calls per analysis step', (releaseCalls / N / (steps + 3)).toFixed(1)],
    ['reconcile passes, mean latency', `${passes} passes, ${((sum / passes) * 1000).toFixed(1)} ms`],
    [
      'work-queue wait (queued to a worker), p50 / p99',
      `${quantileMs('fledge_workqueue_queue_duration_seconds', 0.5)} / ${quantileMs('fledge_workqueue_queue_duration_seconds', 0.99)}`,
    ],
    [
      'API request latency, p50 / p99',
      `${quantileMs('fledge_kubernetes_request_duration_seconds', 0.5)} / ${quantileMs('fledge_kubernetes_request_duration_seconds', 0.99)}`,
    ],
    [
      'API requests, rate-limiter wait p99 / total',
      `${quantileMs('fledge_kubernetes_client_rate_limiter_duration_seconds', 0.99)} / ${sumOf('fledge_kubernetes_client_rate_limiter_duration_seconds').toFixed(1)} s over ${count('fledge_kubernetes_client_rate_limiter_duration_seconds')} requests`,
    ],
    ['operator resident memory / heap used', `${rssMb.toFixed(0)} MB / ${heapMb.toFixed(0)} MB`],
    [
      'operator RSS idle (after init) / peak',
      `${rssIdleMb.toFixed(0)} MB / ${(await procMemory(op.pid)).peakMb.toFixed(0)} MB`,
    ],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(52)} ${v}`);
  const snapshotDir = values['heap-snapshot'];
  if (snapshotDir) {
    const before = new Set(await readdir(snapshotDir));
    op.signal('SIGUSR2');
    let lastSize = -1;
    const file = await waitFor(
      'the heap snapshot',
      async () => {
        const added = (await readdir(snapshotDir)).filter(
          (f) => !before.has(f) && f.endsWith('.heapsnapshot'),
        );
        if (added.length === 0) return undefined;
        // A size unchanged over one poll interval: V8 has finished writing it.
        const path = join(snapshotDir, added[0]!);
        const size = (await stat(path)).size;
        const done = size > 0 && size === lastSize;
        lastSize = size;
        return done ? path : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    console.log(`heap snapshot                                        ${file}`);
  }
  // Soak: more rounds of releases of every canary, to see whether memory settles or grows.
  const memory = async () => {
    const text = await (await fetch(`${op!.metricsUrl}/metrics`)).text();
    const v = (m: string) => Number(new RegExp(`^${m} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    return `${v('fledge_process_resident_memory_bytes').toFixed(0)} MB resident, ${v('fledge_nodejs_heap_size_used_bytes').toFixed(0)} MB heap`;
  };
  for (let round = 1; round <= Number(values.rounds); round++) {
    const last = new Map((await phases()).map((c) => [c.metadata.name, c.status?.lastAppliedSpec]));
    const started = Date.now();
    for (const name of names) {
      await apps.patchNamespacedDeployment(
        {
          name,
          namespace: ns,
          body: {
            spec: { template: { spec: { containers: [{ name: 'app', image: `bench:${round + 2}` }] } } },
          },
        },
        merge,
      );
    }
    await waitFor(
      `round ${round}: all Succeeded`,
      async () =>
        (await phases()).filter(
          (c) => c.status?.phase === 'Succeeded' && c.status.lastAppliedSpec !== last.get(c.metadata.name),
        ).length === N,
      { timeoutMs: 900_000, intervalMs: 250 },
    );
    console.log(
      `soak round ${round}: ${N} releases in ${((Date.now() - started) / 1000).toFixed(1)} s; operator ${await memory()}`,
    );
  }
  console.log('\nAPI calls by verb and resource (whole run):');
  for (const [k, v] of [...(await countRequests(cluster.dir, identity.username))].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(v).padStart(6)}  ${k}`);
} finally {
  await op?.stop();
  if (process.env['BENCH_KEEP_CLUSTER']) console.log(`kept ${cluster.dir}`);
  else await cluster.stop();
}
