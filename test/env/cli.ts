// The local control plane from the command line (npm run cluster:up | cluster:down | cluster:status),
// for the demo and for anyone debugging. One cluster per checkout, kept under .fledge/.
import { Command, InvalidArgumentError } from 'commander';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readClusterState,
  runningProcesses,
  startCluster,
  stopClusterState,
  type ClusterState,
} from './cluster.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const home = join(root, '.fledge');

async function existing(): Promise<ClusterState[]> {
  const entries = await readdir(home).catch(() => [] as string[]);
  const states = await Promise.all(
    entries
      .filter((e) => e.startsWith('fledge-cluster-'))
      .map((e) => readClusterState(join(home, e)).catch(() => undefined)),
  );
  return states.filter((s): s is ClusterState => s !== undefined);
}

function describe(state: ClusterState): string[] {
  return [
    `cluster dir: ${state.dir}`,
    `api server:  ${state.server}`,
    `kubectl:     ${state.kubectl}  (matches the server; add it to PATH with: export PATH=${state.binDir}:$PATH)`,
  ];
}

const program = new Command('cluster').description(
  'local Kubernetes control plane for fledge tests and the demo',
);

program
  .command('up')
  .description(
    'start etcd, kube-apiserver, controller-manager, scheduler and kwok on 127.0.0.1 in the background',
  )
  .option(
    '--nodes <n>',
    'fake kwok nodes',
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100)
        throw new InvalidArgumentError('must be an integer from 1 to 100');
      return n;
    },
    3,
  )
  .action(async (opts: { nodes: number }) => {
    const running = (await existing()).find((s) => runningProcesses(s).length === s.processes.length);
    const state = running ?? (await startCluster({ nodes: opts.nodes, parentDir: home }));
    if (running) console.log('a cluster is already running');
    for (const line of describe(state)) console.log(line);
    console.log(`export KUBECONFIG=${state.kubeconfig}`);
  });

program
  .command('down')
  .description('stop the cluster and remove its state')
  .action(async () => {
    const states = await existing();
    for (const s of states) {
      await stopClusterState(s);
      console.log(`stopped ${s.dir}`);
    }
    if (states.length === 0) console.log('no cluster');
  });

program
  .command('status')
  .description('show whether the cluster runs')
  .action(async () => {
    const states = await existing();
    if (states.length === 0) {
      console.log('no cluster (start one with: npm run cluster:up)');
      process.exitCode = 1;
    }
    for (const s of states) {
      const alive = new Set(runningProcesses(s).map((p) => p.name));
      for (const line of describe(s)) console.log(line);
      for (const p of s.processes)
        console.log(`  ${alive.has(p.name) ? 'running' : 'STOPPED'}  ${p.name} (pid ${p.pid}, log ${p.log})`);
      console.log(`export KUBECONFIG=${s.kubeconfig}`);
      if (alive.size !== s.processes.length) process.exitCode = 1;
    }
  });

await program.parseAsync();
