#!/usr/bin/env node
// The fledge user CLI (docs/cli.md): `npm run -s fledge -- get -A`, `npm run -s fledge -- watch podinfo -n demo`.
// Reads the cluster from $KUBECONFIG (or ~/.kube/config) like kubectl.
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError, Option } from 'commander';
import { canaryPhaseSchema, type CanaryPhase } from '../api/index.ts';
import { GROUP, VERSION } from '../controller.ts';
import { colors, renderTable, type CanaryView } from './render.ts';
import { watchCanary } from './watch.ts';

/** Exit codes of `fledge watch`. */
export const exitCodes = { succeeded: 0, failed: 1, usage: 2, timeout: 3, aborted: 130 } as const;

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

/** -n, else the namespace of the kubeconfig's current context, else `default`. */
function namespaceOf(kc: KubeConfig, flag: string | undefined): string {
  return flag ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

const useColor = () => process.stdout.isTTY === true && !('NO_COLOR' in process.env);

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

function phase(v: string, all: CanaryPhase[] = []): CanaryPhase[] {
  const parsed = canaryPhaseSchema.safeParse(v);
  if (!parsed.success)
    throw new InvalidArgumentError(`must be one of ${canaryPhaseSchema.options.join(', ')}`);
  return [...all, parsed.data];
}

function errorMessage(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 404) return 'not found';
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return String((JSON.parse(body) as { message?: unknown }).message ?? body);
    } catch {
      return body;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

const program = new Command('fledge')
  .description('see and follow fledge canary releases')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });

program
  .command('get')
  .description('list canaries: phase, canary weight, failed checks, last transition')
  .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context namespace, else default)')
  .option('-A, --all-namespaces', 'canaries in every namespace')
  .action(async (o: { namespace?: string; allNamespaces?: boolean }) => {
    const kc = kubeConfig();
    const api = kc.makeApiClient(CustomObjectsApi);
    const base = { group: GROUP, version: VERSION, plural: 'canaries' };
    try {
      const list = (
        o.allNamespaces
          ? await api.listClusterCustomObject(base)
          : await api.listNamespacedCustomObject({ ...base, namespace: namespaceOf(kc, o.namespace) })
      ) as { items: CanaryView[] };
      const items = [...list.items].sort(
        (a, b) =>
          (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
          (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
      );
      const table = renderTable(items, {
        allNamespaces: o.allNamespaces === true,
        now: new Date(),
        colors: colors(useColor()),
      });
      console.log(table);
    } catch (err) {
      console.error(`fledge get: ${errorMessage(err)}`);
      process.exitCode = exitCodes.usage;
    }
  });

program
  .command('watch')
  .description('follow one canary live until its release succeeds (exit 0) or fails (exit 1)')
  .argument('<name>', 'the Canary')
  .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context namespace, else default)')
  .addOption(
    new Option(
      '--until <phase>',
      'end at this phase instead (repeatable); Failed always ends it (exit 1)',
    ).argParser(phase),
  )
  .option('--timeout <seconds>', 'give up after this long (exit 3)', seconds)
  .option('--no-tty', 'print one line per change even on a terminal')
  .action(
    async (
      name: string,
      o: { namespace?: string; until?: CanaryPhase[]; timeout?: number; tty: boolean },
    ) => {
      const kc = kubeConfig();
      const namespace = namespaceOf(kc, o.namespace);
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      try {
        const result = await watchCanary({
          kc,
          namespace,
          name,
          out: process.stdout,
          tty: o.tty && process.stdout.isTTY === true,
          color: useColor(),
          ...(o.until ? { until: [...o.until, 'Failed'] } : {}),
          ...(o.timeout !== undefined ? { timeoutMs: o.timeout * 1000 } : {}),
          signal: abort.signal,
        });
        if (result.end === 'timeout') {
          console.error(`fledge watch: timed out; phase ${result.status?.phase ?? 'unknown'}`);
          process.exitCode = exitCodes.timeout;
        } else if (result.end === 'aborted') process.exitCode = exitCodes.aborted;
        else process.exitCode = result.status?.phase === 'Failed' ? exitCodes.failed : exitCodes.succeeded;
      } catch (err) {
        console.error(`fledge watch: canary ${namespace}/${name}: ${errorMessage(err)}`);
        process.exitCode = exitCodes.usage;
      }
      // Idle keep-alive sockets of the Kubernetes client must not hold the exit.
      process.exit(process.exitCode);
    },
  );

await program.parseAsync();
