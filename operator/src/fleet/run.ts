// The fleet controller (main.ts imports it once the runtime is set up): flags, the hub connection,
// leader election, the work loop and the HTTP server.
import { Command } from 'commander';
import { hostname } from 'node:os';
import { loadKubeConfig } from '../kube/client.ts';
import { createEventRecorder } from '../kube/events.ts';
import { LeaderElector } from '../kube/leader.ts';
import { KubeRest } from '../kube/rest.ts';
import { ConfigError } from '../runtime/config.ts';
import { startHttpServer } from '../runtime/http-server.ts';
import { exitOnSignals } from '../runtime/shutdown.ts';
import { createLogger } from '../runtime/logger.ts';
import { parseFleetConfig, type FleetConfig } from './config.ts';
import { FleetLoop } from './loop.ts';
import { createFleetMetrics } from './metrics.ts';

function readConfig(): FleetConfig {
  const program = new Command('fledge-fleet')
    .description('fledge fleet controller: one release across member clusters, wave by wave')
    .option('--watch-namespace <ns>', 'namespace of the FleetCanaries and cluster Secrets (default: all)')
    .option('--metrics-address <host:port>', '/metrics, /healthz and /readyz address')
    .option('--log-level <level>', 'trace, debug, info, warn or error')
    .option('--log-format <format>', 'json or pretty')
    .option('--leader-elect <bool>', 'use a Lease so only one replica acts')
    .option('--lease-namespace <ns>', 'namespace of the leader election Lease')
    .option('--lease-name <name>', 'name of the leader election Lease')
    .option('--identity <id>', 'leader election identity (default: hostname and pid)')
    .option('--api-timeout-seconds <n>', 'deadline of every request to the hub API server')
    .option('--poll-seconds <n>', 'how often member clusters are read')
    .option('--member-timeout-seconds <n>', 'deadline of every request to a member cluster')
    .option('--member-concurrency <n>', 'member clusters read at once per FleetCanary')
    .showHelpAfterError();
  program.parse();
  return parseFleetConfig(program.opts<Record<string, unknown>>(), process.env);
}

async function main(): Promise<void> {
  let config: FleetConfig;
  try {
    config = readConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`fledge-fleet: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, config.logFormat);
  const metrics = createFleetMetrics();
  const kc = loadKubeConfig(config.apiTimeoutSeconds * 1000);
  const identity = config.identity ?? `${hostname()}-${process.pid}`;
  const loop = new FleetLoop(
    {
      rest: new KubeRest(kc),
      events: createEventRecorder(kc, 'fledge-fleet', identity, log),
      log,
      metrics,
      now: () => new Date(),
      memberTimeoutMs: config.memberTimeoutSeconds * 1000,
      memberConcurrency: config.memberConcurrency,
      clients: new Map(),
    },
    config.watchNamespace,
    config.pollSeconds * 1000,
  );
  const server = await startHttpServer(config.metricsAddress, metrics.registry, {
    healthy: () => true,
    ready: () => loop.readiness(),
  });
  log.info(
    {
      address: config.metricsAddress,
      identity,
      namespace: config.watchNamespace || '(all)',
      ...(config.leaderElect ? { lease: `${config.leaseNamespace}/${config.leaseName}` } : {}),
    },
    'fledge fleet controller starting',
  );
  const elector = config.leaderElect
    ? new LeaderElector({
        kubeConfig: kc,
        namespace: config.leaseNamespace,
        name: config.leaseName,
        identity,
        leaseDurationMs: config.leaseDurationSeconds * 1000,
        renewDeadlineMs: config.renewDeadlineSeconds * 1000,
        retryPeriodMs: config.retryPeriodSeconds * 1000,
        log,
        onStartedLeading: () => {
          metrics.leader.set(1);
          loop.start();
        },
        onStoppedLeading: () => {
          metrics.leader.set(0);
          void loop.stop();
        },
      })
    : undefined;
  if (elector) elector.start();
  else {
    metrics.leader.set(1);
    loop.start();
  }

  exitOnSignals(log, 'shutting down: finishing the pass in flight', async () => {
    await loop.stop();
    await elector?.stop();
    server.close();
  });
}

main().catch((err: unknown) => {
  console.error('fledge-fleet: fatal:', err);
  process.exit(1);
});
