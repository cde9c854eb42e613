// `kubectl fledge fleet ...`: fleet releases, read from the hub cluster (docs/fleet.md).
import type { Command } from 'commander';
import {
  exitCodes,
  exitWith,
  kubeConfig,
  namespaceOf,
  seconds,
  useColor,
  watchExitCode,
} from './command-support.ts';
import { getFleet, watchFleet } from './fleet.ts';
import { renderFleet } from './fleet-render.ts';
import { colors } from './render.ts';

export function addFleetCommands(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('fleet releases across member clusters (run against the hub cluster)');
  fleet
    .command('status')
    .description(
      'show a FleetCanary: its release, every wave and cluster, the verdict; exits 1 when Halted (--watch: follow it live)',
    )
    .argument('<name>', 'the FleetCanary')
    .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context namespace, else default)')
    .option('-w, --watch', 'follow it live until the release succeeds (exit 0) or halts (exit 1)')
    .option('--timeout <seconds>', 'with --watch: give up after this long (exit 3)', seconds)
    .option('--no-tty', 'with --watch: print the grid on each change even on a terminal')
    .action(
      async (name: string, o: { namespace?: string; watch?: boolean; timeout?: number; tty: boolean }) => {
        const kc = kubeConfig();
        const namespace = namespaceOf(kc, o.namespace);
        await exitWith(`fledge fleet status: fleetcanary ${namespace}/${name}`, async () => {
          if (!o.watch) {
            const view = await getFleet(kc, namespace, name);
            console.log(renderFleet(view, { now: new Date(), colors: colors(useColor()) }).join('\n'));
            return view.status?.phase === 'Halted' ? exitCodes.failed : exitCodes.succeeded;
          }
          const abort = new AbortController();
          process.once('SIGINT', () => abort.abort());
          const result = await watchFleet({
            kc,
            namespace,
            name,
            out: process.stdout,
            tty: o.tty && process.stdout.isTTY === true,
            color: useColor(),
            ...(o.timeout !== undefined ? { timeoutMs: o.timeout * 1000 } : {}),
            signal: abort.signal,
          });
          return watchExitCode(result.end, result.view.status?.phase === 'Halted');
        });
      },
    );
}
