#!/usr/bin/env node
// The fledge user CLI and kubectl plugin (docs/cli.md): `kubectl fledge get -A`,
// `kubectl fledge promote podinfo -n demo`. Reads the cluster from $KUBECONFIG (or ~/.kube/config)
// like kubectl.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  canaryPhaseSchema,
  PROVIDER_NAMES,
  type CanaryPhase,
  type CanaryStatus,
  type CommandVerb,
  type ProviderName,
} from '../api/index.ts';
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { argoConfigPatch, readArgoScripts } from './argocd-config.ts';
import { formatFinding, lintText } from './lint.ts';
import { sendCommand, waitForStatus } from './control.ts';
import {
  errorMessage,
  exitCodes,
  exitWith,
  kubeConfig,
  namespaceOf,
  seconds,
  useColor,
  watchExitCode,
} from './command-support.ts';
import { addFleetCommands } from './fleet-command.ts';
import { get, getWatch, outputFormats, type OutputFormat } from './get.ts';
import { colors, renderFrame } from './render.ts';
import { argoScriptsDir, cliVersion } from '../runtime/package-root.ts';
import { getCanary, watchCanary } from './watch.ts';

function phase(v: string, all: CanaryPhase[] = []): CanaryPhase[] {
  const parsed = canaryPhaseSchema.safeParse(v);
  if (!parsed.success)
    throw new InvalidArgumentError(`must be one of ${canaryPhaseSchema.options.join(', ')}`);
  return [...all, parsed.data];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const program = new Command('fledge')
  .description('see, follow and steer fledge canary releases')
  .version(cliVersion(), '--version')
  .showHelpAfterError()
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

program
  .command('get')
  .description('list canaries (or show one): phase, canary weight, failed checks, last transition')
  .argument('[name]', 'one Canary')
  .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context namespace, else default)')
  .option('-A, --all-namespaces', 'canaries in every namespace')
  .option('-l, --selector <selector>', 'only canaries with these labels (app=web,tier!=db)')
  .addOption(new Option('-o, --output <format>', 'wide (more columns), json or yaml').choices(outputFormats))
  .option('-w, --watch', 'keep printing as the canaries change (Ctrl-C ends it)')
  .action(
    async (
      name: string | undefined,
      o: {
        namespace?: string;
        allNamespaces?: boolean;
        selector?: string;
        output?: OutputFormat;
        watch?: boolean;
      },
    ) => {
      const kc = kubeConfig();
      const options = {
        kc,
        ...(name !== undefined ? { name } : {}),
        namespace: o.allNamespaces && name === undefined ? undefined : namespaceOf(kc, o.namespace),
        ...(o.selector !== undefined ? { selector: o.selector } : {}),
        ...(o.output !== undefined ? { output: o.output } : {}),
        out: process.stdout,
        color: useColor(),
      };
      await exitWith(`fledge get${name !== undefined ? `: canary ${name}` : ''}`, async () => {
        if (!o.watch) {
          await get(options);
          return 0;
        }
        const abort = new AbortController();
        process.once('SIGINT', () => abort.abort());
        await getWatch({ ...options, tty: process.stdout.isTTY === true, signal: abort.signal });
        return exitCodes.aborted;
      });
    },
  );

program
  .command('status')
  .description(
    'show one canary: phase, weights, every check; exits 1 when its release failed (--watch: follow it, as watch)',
  )
  .argument('<name>', 'the Canary')
  .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context namespace, else default)')
  .option('-w, --watch', 'follow it live until the release succeeds (exit 0) or fails (exit 1)')
  .action(async (name: string, o: { namespace?: string; watch?: boolean }) => {
    if (o.watch) {
      // The same as `fledge watch NAME`, with its defaults.
      await program.parseAsync(['watch', name, ...(o.namespace ? ['-n', o.namespace] : [])], {
        from: 'user',
      });
      return;
    }
    const kc = kubeConfig();
    const namespace = namespaceOf(kc, o.namespace);
    await exitWith(`fledge status: canary ${namespace}/${name}`, async () => {
      const canary = await getCanary(kc, namespace, name);
      const lines = renderFrame(canary, { now: new Date(), colors: colors(useColor()), barWidth: 30 });
      console.log(lines.join('\n'));
      return canary.status?.phase === 'Failed' ? exitCodes.failed : exitCodes.succeeded;
    });
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
      await exitWith(`fledge watch: canary ${namespace}/${name}`, async () => {
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
        }
        return watchExitCode(result.end, result.status?.phase === 'Failed');
      });
    },
  );

const control: { verb: CommandVerb; summary: string }[] = [
  {
    verb: 'promote',
    summary: 'open the manual gate the release waits at (--full: promote now, skipping the rest)',
  },
  {
    verb: 'abort',
    summary: 'roll the release back now: all traffic to the primary, which is left untouched',
  },
  { verb: 'retry', summary: 'analyse the failed revision again, without a change to the Deployment' },
  { verb: 'pause', summary: 'hold the release where it is: weight, steps and progress deadline' },
  { verb: 'resume', summary: 'go on with a paused release' },
];
for (const { verb, summary } of control) {
  const cmd = program
    .command(verb)
    .description(
      `${summary}; exits 0 when the operator accepts it, 2 when it refuses it, 3 when it does not answer`,
    )
    .argument('<name>', 'the Canary')
    .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context namespace, else default)')
    .option('--revision <hash>', 'the release it is for (default: status.lastAppliedSpec, the current one)')
    .option('--timeout <seconds>', 'how long to wait for the operator to answer', seconds, 30);
  if (verb === 'promote') cmd.option('--full', 'skip the remaining analysis and every gate: promote now');
  cmd.action(
    async (name: string, o: { namespace?: string; revision?: string; timeout: number; full?: boolean }) => {
      const kc = kubeConfig();
      const namespace = namespaceOf(kc, o.namespace);
      await exitWith(`fledge ${verb}: canary ${namespace}/${name}`, async () => {
        const outcome = await sendCommand({
          kc,
          namespace,
          name,
          verb,
          ...(o.full ? { full: true } : {}),
          ...(o.revision !== undefined ? { revision: o.revision } : {}),
          timeoutMs: o.timeout * 1000,
        });
        const out = outcome.end === 'accepted' ? console.log : console.error;
        out(`canary ${namespace}/${name}: ${outcome.message}`);
        return outcome.end === 'accepted'
          ? 0
          : outcome.end === 'refused'
            ? exitCodes.usage
            : exitCodes.timeout;
      });
    },
  );
}

program
  .command('lint')
  .description(
    'check manifests offline with the same verdicts as admission; exits 0 when every fledge resource is valid, 2 otherwise',
  )
  .argument('<files...>', 'YAML files (several documents each), - for standard input')
  .option(
    '--from-flagger',
    "rewrite flagger.app manifests to fledge's API and print them (YAML) on standard output",
  )
  .addOption(
    new Option(
      '--mesh-provider <provider>',
      'check Canaries without spec.provider as an operator with this default runs them',
    ).choices([...PROVIDER_NAMES]),
  )
  .action(async (files: string[], o: { fromFlagger?: boolean; meshProvider?: ProviderName }) => {
    let invalid = false;
    const rewritten: unknown[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      } catch (err) {
        console.error(
          `fledge lint: ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(err)}`,
        );
        invalid = true;
        continue;
      }
      const result = lintText(file, text, {
        fromFlagger: o.fromFlagger === true,
        ...(o.meshProvider !== undefined ? { meshProvider: o.meshProvider } : {}),
      });
      rewritten.push(...result.rewritten);
      for (const f of result.findings) {
        if (f.verdict === 'invalid') invalid = true;
        // With --from-flagger, stdout carries the rewritten YAML; the verdicts go to stderr.
        (o.fromFlagger ? console.error : console.log)(formatFinding(f));
      }
    }
    if (o.fromFlagger) process.stdout.write(rewritten.map((d) => stringify(d)).join('---\n'));
    process.exitCode = invalid ? exitCodes.usage : 0;
  });

program
  .command('argocd-cm')
  .description(
    'print the argocd-cm patch that gives Argo CD the Canary health check and the promote, abort, retry, pause and resume actions',
  )
  .action(() => {
    console.log(argoConfigPatch(readArgoScripts(argoScriptsDir())).trimEnd());
  });

const conditions = {
  // Promoted=True: the primary serves the revision the target has (not only some earlier one).
  promoted: (s: CanaryStatus | undefined) =>
    (s?.conditions ?? []).some((c) => c.type === 'Promoted' && c.status === 'True'),
  failed: (s: CanaryStatus | undefined) => s?.phase === 'Failed',
  ready: (s: CanaryStatus | undefined) =>
    (s?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
} as const;
type WaitFor = keyof typeof conditions;

program
  .command('wait')
  .description(
    'wait for a canary: promoted (Succeeded), failed (Failed) or ready (Ready=True); exits 0 when reached, 1 when the release failed instead, 3 on timeout',
  )
  .argument('<name>', 'the Canary')
  .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context namespace, else default)')
  .addOption(
    new Option('--for <condition>', 'what to wait for')
      .choices(Object.keys(conditions))
      .makeOptionMandatory(),
  )
  .option('--timeout <seconds>', 'give up after this long', seconds, 600)
  .action(async (name: string, o: { namespace?: string; for: WaitFor; timeout: number }) => {
    const kc = kubeConfig();
    const namespace = namespaceOf(kc, o.namespace);
    const reached = conditions[o.for];
    // Waiting for success ends early, and badly, when the release fails.
    const failedInstead = (s: CanaryStatus | undefined) => o.for !== 'failed' && conditions.failed(s);
    await exitWith(`fledge wait: canary ${namespace}/${name}`, async () => {
      const status = await waitForStatus(
        kc,
        namespace,
        name,
        (s) => reached(s) || failedInstead(s),
        o.timeout * 1000,
      );
      const phase = status?.phase ?? 'unknown';
      if (reached(status)) {
        console.log(`canary ${namespace}/${name}: ${o.for} (phase ${phase})`);
        return 0;
      }
      if (failedInstead(status)) {
        console.error(`canary ${namespace}/${name}: failed: ${status?.message ?? ''}`);
        return exitCodes.failed;
      }
      console.error(
        `canary ${namespace}/${name}: timed out after ${o.timeout}s waiting for ${o.for}; phase ${phase}`,
      );
      return exitCodes.timeout;
    });
  });

addFleetCommands(program);

try {
  await program.parseAsync();
} catch (err) {
  // Usage errors (an unknown flag, a missing argument) are exit 2; --help and --version exit 0.
  if (!(err instanceof CommanderError)) throw err;
  const ok =
    err.code === 'commander.helpDisplayed' ||
    err.code === 'commander.version' ||
    err.code === 'commander.help';
  process.exit(ok ? 0 : exitCodes.usage);
}
