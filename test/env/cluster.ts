import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaries, type Binaries } from './binaries.ts';
import { createPki, type Pki } from './certs.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { createFakeNodes } from './nodes.ts';
import { freePorts } from './ports.ts';
import { isAlive, startProcess, stopProcess, type Started } from './proc.ts';
import { waitFor } from './wait.ts';

/** What `cluster.json` in the cluster directory records, so another process (cluster:down) can stop it. */
export interface ClusterState {
  dir: string;
  kubeconfig: string;
  server: string;
  kubectl: string;
  binDir: string;
  /** In stop order: controllers and kwok first, etcd last. */
  processes: Started[];
  startedAt: string;
}

export interface Cluster extends ClusterState {
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Number of fake nodes (default 3). */
  nodes?: number;
  /** Parent of the cluster's temp dir (default: the OS temp dir). */
  parentDir?: string;
  readyTimeoutMs?: number;
  /** Write an audit log (metadata of every request) to `<dir>/audit.log`, for benchmarks that count API calls. */
  audit?: boolean;
  /** Where the five ports come from (default: free ones the kernel picks); tests use it to force a collision. */
  ports?: (count: number) => Promise<number[]>;
}

const STATE_FILE = 'cluster.json';

function readyz(server: string, pki: Pki): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${server}/readyz`,
      {
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts a real control plane on free 127.0.0.1 ports in its own temp dir: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok with `nodes` fake nodes. Returns once the
 * nodes are Ready and the default ServiceAccount exists (so pods can be created at once).
 * On failure everything started so far is stopped again.
 */
export async function startCluster(options: StartOptions = {}): Promise<Cluster> {
  // Ports are picked free and handed to the processes a moment later; on a busy machine another
  // process can take one in between, and the process that wanted it exits at once. Only that case,
  // a control-plane process gone during start, is tried again, on fresh ports in a fresh dir.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(options);
    } catch (err) {
      if (!(err instanceof Error && err.cause instanceof ProcessExited) || attempt >= START_ATTEMPTS)
        throw err;
      console.warn(`test cluster: ${err.cause.message}; starting again on fresh ports`);
    }
  }
}

const START_ATTEMPTS = 3;

/** A control-plane process exited while the cluster was starting; the message carries its log's tail. */
export class ProcessExited extends Error {}

/** Which process is gone and the tail of its log, or undefined while all run. */
function exitedDuringStart(started: Started[]): string | undefined {
  const gone = started.find((p) => !isAlive(p.pid));
  if (!gone) return undefined;
  let tail = '';
  try {
    tail = readFileSync(gone.log, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    /* no log written */
  }
  return `${gone.name} exited during start; last log lines:\n${tail}`;
}

async function startClusterOnce(options: StartOptions): Promise<Cluster> {
  const { nodes = 3, readyTimeoutMs = 60_000 } = options;
  const parent = options.parentDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'fledge-cluster-'));
  const [bins, pki, ports] = await Promise.all([binaries(), createPki(dir), (options.ports ?? freePorts)(5)]);
  const [apiPort, etcdClient, etcdPeer, kcmPort, schedPort] = ports as [
    number,
    number,
    number,
    number,
    number,
  ];
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, server, pki);

  const started: Started[] = [];
  const state: ClusterState = {
    dir,
    kubeconfig,
    server,
    kubectl: bins.kubectl,
    binDir: bins.dir,
    processes: started,
    startedAt: new Date().toISOString(),
  };
  const start = async (name: string, command: string, args: string[]) => {
    started.unshift(startProcess(name, command, args, join(dir, `${name}.log`), dir));
    await writeFile(join(dir, STATE_FILE), JSON.stringify(state, null, 2));
  };

  try {
    const audit = options.audit ? await auditFlags(dir) : [];
    await startControlPlane(bins, pki, dir, { apiPort, etcdClient, etcdPeer }, start, audit);
    const giveUp = () => {
      const exited = exitedDuringStart(started);
      return exited === undefined ? undefined : new ProcessExited(exited);
    };
    await waitFor('kube-apiserver /readyz', () => readyz(server, pki), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 100,
      giveUp,
    });
    await start('kube-controller-manager', bins.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--use-service-account-credentials=false',
      // For experiments on the cluster's own pace, e.g. FLEDGE_TEST_KCM_ARGS="--kube-api-qps=200 --kube-api-burst=400".
      ...(process.env['FLEDGE_TEST_KCM_ARGS']?.split(/\s+/).filter(Boolean) ?? []),
    ]);
    await start('kube-scheduler', bins.kubeScheduler, [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
    ]);
    // Node leases keep the controller-manager from marking every kwok node NotReady after ~3 minutes.
    await start('kwok', bins.kwok, [
      `--kubeconfig=${kubeconfig}`,
      '--manage-all-nodes=true',
      '--cidr=10.244.0.1/16',
      '--node-ip=10.244.0.1',
      '--node-lease-duration-seconds=40',
      '--server-address=127.0.0.1:0',
    ]);
    const kc = loadKubeConfig(kubeconfig);
    await createFakeNodes(kc, nodes, readyTimeoutMs);
    const core = kc.makeApiClient(CoreV1Api);
    await waitFor(
      'the default ServiceAccount',
      async () =>
        (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })).metadata?.name,
      { timeoutMs: readyTimeoutMs, intervalMs: 200, giveUp },
    );
  } catch (err) {
    const exited = exitedDuringStart(started);
    await stopClusterState(state, { keepDir: true });
    const logs = started.map((p) => p.log).join(', ');
    if (exited !== undefined) {
      throw new ProcessExited(`local cluster failed to start: ${exited} (logs kept: ${logs})`, {
        cause: err,
      });
    }
    throw new Error(`local cluster failed to start (logs kept: ${logs})`, { cause: err });
  }
  return withMethods(state);
}

async function startControlPlane(
  bins: Binaries,
  pki: Pki,
  dir: string,
  ports: { apiPort: number; etcdClient: number; etcdPeer: number },
  start: (name: string, command: string, args: string[]) => Promise<void>,
  extraApiserverArgs: string[],
): Promise<void> {
  const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  await start('etcd', bins.etcd, [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=default=${peerUrl}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await start('kube-apiserver', bins.kubeApiserver, [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.apiPort}`,
    '--advertise-address=127.0.0.1',
    // A loopback advertise address is refused by the default endpoint reconciler.
    '--endpoint-reconciler-type=none',
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    // A canary owns three Services; a /12 leaves room for benchmarks with thousands of canaries.
    '--service-cluster-ip-range=10.96.0.0/12',
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    ...extraApiserverArgs,
  ]);
}

async function auditFlags(dir: string): Promise<string[]> {
  const policy = join(dir, 'audit-policy.yaml');
  await writeFile(
    policy,
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n',
  );
  return [
    `--audit-policy-file=${policy}`,
    `--audit-log-path=${join(dir, 'audit.log')}`,
    '--audit-log-maxsize=1000',
  ];
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

function withMethods(state: ClusterState): Cluster {
  return {
    ...state,
    kubeConfig: () => loadKubeConfig(state.kubeconfig),
    stop: () => stopClusterState(state),
  };
}

/** Stops in order (controllers and kwok, then the apiserver, then etcd) and removes the directory. */
export async function stopClusterState(state: ClusterState, { keepDir = false } = {}): Promise<void> {
  for (const p of state.processes) {
    // An apiserver that loses etcd while shutting down can retry for a long time: give it a deadline.
    await stopProcess(p.pid, p.name === 'kube-apiserver' ? 15_000 : 10_000);
  }
  if (!keepDir) await rm(state.dir, { recursive: true, force: true });
}

export async function readClusterState(dir: string): Promise<ClusterState> {
  return JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as ClusterState;
}

export function runningProcesses(state: ClusterState): Started[] {
  return state.processes.filter((p) => isAlive(p.pid));
}
