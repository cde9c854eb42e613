// TEST INFRASTRUCTURE: the loopback data plane from the command line, for the demo and for
// debugging (docs/dataplane.md). Every listener is on 127.0.0.1; Ctrl-C stops everything.
//
//   test/env/node.sh node test/e2e/dataplane/cli.ts --kubeconfig .fledge/<cluster>/kubeconfig \
//     --namespace demo --app web --rps 20
import { KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startDataPlane } from './dataplane.ts';
import { maxRps } from './load.ts';
import type { RouteProvider } from './router.ts';
import type { SplitMode } from './weighted.ts';

interface CliOptions {
  kubeconfig?: string;
  namespace: string;
  app: string;
  service?: string;
  rps: number;
  header: string[];
  provider: RouteProvider;
  ingress?: string;
  split: SplitMode;
  reportSeconds: number;
}

const number = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be a number from ${min} to ${max}`);
  return n;
};

const program = new Command('dataplane')
  .description(
    'loopback stand-in for an ingress/mesh: backends following Deployments, a router following fledge routes',
  )
  .option('--kubeconfig <path>', 'kubeconfig (default: $KUBECONFIG or ~/.kube/config)')
  .requiredOption('--namespace <ns>', 'namespace of the Canary')
  .requiredOption(
    '--app <name>',
    'the Canary targetRef name (the canary slot follows it, the primary <app>-primary)',
  )
  .option('--service <name>', 'the Canary service name (default: app)')
  .option('--rps <n>', `steady load through the router, 0 for none (max ${maxRps})`, number(0, maxRps), 10)
  .option(
    '--header <name:value>',
    'header on every load request (repeatable)',
    (v: string, all: string[]) => [...all, v],
    [],
  )
  .addOption(
    new Option('--provider <p>', 'routing object to follow')
      .choices(['gatewayapi', 'nginx'])
      .default('gatewayapi'),
  )
  .option('--ingress <name>', 'provider nginx: the main Ingress (the router follows <ingress>-canary)')
  .addOption(
    new Option('--split <mode>', 'weighted choice').choices(['random', 'round-robin']).default('random'),
  )
  .option('--report-seconds <n>', 'print the observed split this often', number(1, 3600), 5)
  .action(async (o: CliOptions) => {
    const kubeConfig = new KubeConfig();
    if (o.kubeconfig) kubeConfig.loadFromFile(o.kubeconfig);
    else kubeConfig.loadFromDefault();
    const headers = Object.fromEntries(
      o.header.map((h) => {
        const i = h.indexOf(':');
        if (i <= 0) program.error(`--header ${h}: expected name:value`);
        return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
      }),
    );
    const dp = await startDataPlane({
      kubeConfig,
      namespace: o.namespace,
      app: o.app,
      ...(o.service ? { service: o.service } : {}),
      rps: o.rps,
      loadHeaders: headers,
      loadMaxDurationMs: 24 * 3_600_000,
      provider: o.provider,
      ...(o.ingress ? { ingress: o.ingress } : {}),
      split: o.split,
    });
    console.log(`router:  ${dp.routerUrl}`);
    console.log(`metrics: ${dp.metricsUrl} (scrape target ${dp.metricsTarget})`);
    const report = setInterval(() => {
      const s = dp.observedSplit();
      const slots = [dp.backends.primary.state(), dp.backends.canary.state()]
        .map(
          (b) =>
            `${b.deployment}@${b.version || '-'} err=${b.behaviour.errorRate} lat=${b.behaviour.latencyMs}ms${b.serving ? '' : ' (not serving)'}`,
        )
        .join(', ');
      console.log(
        `${new Date().toISOString()} ${s.source}: ${JSON.stringify(s.byService)} of ${s.total}; ${slots}`,
      );
    }, o.reportSeconds * 1000);
    const stop = () => {
      clearInterval(report);
      void dp.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

await program.parseAsync();
