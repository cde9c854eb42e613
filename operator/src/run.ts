// The operator (main.ts imports it once the runtime is set up): flags, the kube connection, the
// controller, leader election and the HTTP server.
import { Command } from 'commander';
import { hostname } from 'node:os';
import { Controller } from './controller.ts';
import { loadKubeConfig } from './kube/client.ts';
import { createEventRecorder } from './kube/events.ts';
import { LeaderElector } from './kube/leader.ts';
import { OwnedCache } from './kube/owned-cache.ts';
import { createReconciler } from './reconcile/reconciler.ts';
import { createFinalizers } from './reconcile/finalizer.ts';
import { createStatusWriter } from './reconcile/status-writer.ts';
import { cachedObjectClient } from './routers/cached-object-client.ts';
import { createRouter, kubeObjectClient, type Router } from './routers/index.ts';
import { ConfigError, leaseNameFor, parseConfig, type Config } from './runtime/config.ts';
import { startHttpServer } from './runtime/http-server.ts';
import { exitOnSignals } from './runtime/shutdown.ts';
import { createLogger } from './runtime/logger.ts';
import { createMetrics, forgetCanaryGauges } from './runtime/metrics.ts';
import { WorkloadTarget } from './workloads/workload-target.ts';

function readConfig(): Config {
  const program = new Command('fledge')
    .description('progressive delivery operator for Kubernetes')
    .option('--watch-namespace <ns>', 'namespace to watch (default: all)')
    .option('--shard-selector <selector>', "label selector of this shard's Canaries (default: all)")
    .option('--metrics-address <host:port>', '/metrics, /healthz and /readyz address')
    .option('--log-level <level>', 'trace, debug, info, warn or error')
    .option('--log-format <format>', 'json or pretty')
    .option('--concurrency <n>', 'canaries reconciled in parallel')
    .option('--leader-elect <bool>', 'use a Lease so only one replica acts')
    .option('--lease-namespace <ns>', 'namespace of the leader election Lease')
    .option('--lease-name <name>', 'name of the leader election Lease (default: one per shard)')
    .option('--resync-seconds <n>', 'reconcile every canary at least this often')
    .option('--metrics-server <url>', 'default Prometheus for builtin metrics')
    .option(
      '--gateway-api-metrics <set>',
      'metric names the builtins of gatewayapi Canaries read: istio (default) or contour',
    )
    .option(
      '--mesh-provider <provider>',
      'provider of Canaries without spec.provider (gatewayapi, nginx, kubernetes)',
    )
    .option('--identity <id>', 'leader election identity (default: hostname and pid)')
    .option('--api-timeout-seconds <n>', 'deadline of every Kubernetes API request')
    .option('--pass-timeout-seconds <n>', 'deadline of one reconcile pass')
    .option('--kube-api-qps <n>', 'Kubernetes API requests per second after the burst (0: no limit)')
    .option('--kube-api-burst <n>', 'Kubernetes API requests sent at once before the QPS applies')
    .option('--no-cross-namespace-refs <bool>', "refuse other namespaces' MetricTemplates and AlertProviders")
    .showHelpAfterError();
  program.parse();
  // commander reads --no-x as the negation of x; this one is Flagger's flag name, with a value.
  const { crossNamespaceRefs, ...flags } = program.opts<Record<string, unknown>>();
  if (program.getOptionValueSource('crossNamespaceRefs') === 'cli')
    flags['noCrossNamespaceRefs'] = crossNamespaceRefs;
  return parseConfig(flags, process.env);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = readConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`fledge: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, config.logFormat);
  const metrics = createMetrics();
  const kc = loadKubeConfig(config.apiTimeoutSeconds * 1000, {
    qps: config.kubeApiQps,
    burst: config.kubeApiBurst,
    onWait: (s) => metrics.apiThrottle.observe(s),
    onRequest: (verb, s) => metrics.apiRequests.observe({ verb }, s),
  });
  const identity = config.identity ?? `${hostname()}-${process.pid}`;
  const controller = new Controller(kc, {
    namespace: config.watchNamespace,
    shardSelector: config.shardSelector,
    log,
    metrics,
    concurrency: config.concurrency,
    resyncMs: config.resyncSeconds * 1000,
  });
  const apiObjects = kubeObjectClient(kc);
  const owned = new OwnedCache({
    kubeConfig: kc,
    client: apiObjects,
    namespace: config.watchNamespace,
    log,
    onOwnerChange: (ns, name) => controller.requeue(ns, name),
    onError: (n) => metrics.apiErrors.inc({ source: `watch/${n}` }),
  });
  const objectClient = cachedObjectClient(apiObjects, owned);
  const routers = new Map<string, Router>();
  const routerFor = (provider: string) => {
    let r = routers.get(provider);
    if (!r) routers.set(provider, (r = createRouter(provider, objectClient)));
    return r;
  };
  let leading = !config.leaderElect;
  const reconcile = createReconciler({
    caches: controller.caches,
    read: (ns, name, fresh) => controller.readCanary(ns, name, fresh),
    target: new WorkloadTarget(kc, controller.caches, objectClient),
    router: routerFor,
    events: createEventRecorder(kc, 'fledge', identity, log),
    status: createStatusWriter(kc, undefined, (obj) => controller.wroteCanary(obj)),
    finalizers: createFinalizers(kc, (obj) => controller.wroteCanary(obj)),
    checks: { defaultMetricsServer: config.metricsServer, gatewayApiMetrics: config.gatewayApiMetrics },
    metrics,
    log,
    now: () => new Date(),
    isLeader: () => leading,
    passTimeoutMs: config.passTimeoutSeconds * 1000,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    meshProvider: config.meshProvider,
    served: (apiVersion, kind) => apiObjects.served(apiVersion, kind),
  });

  const server = await startHttpServer(config.metricsAddress, metrics.registry, {
    healthy: () => true,
    ready: () => controller.readiness(),
  });
  const leaseName = config.leaseName ?? leaseNameFor(config.shardSelector);
  log.info(
    {
      address: config.metricsAddress,
      identity,
      namespace: config.watchNamespace || '(all)',
      shard: config.shardSelector || '(all)',
      ...(config.leaderElect ? { lease: `${config.leaseNamespace}/${leaseName}` } : {}),
    },
    'fledge starting',
  );
  await controller.startInformers();

  const elector = config.leaderElect
    ? new LeaderElector({
        kubeConfig: kc,
        namespace: config.leaseNamespace,
        name: leaseName,
        identity,
        leaseDurationMs: config.leaseDurationSeconds * 1000,
        renewDeadlineMs: config.renewDeadlineSeconds * 1000,
        retryPeriodMs: config.retryPeriodSeconds * 1000,
        log,
        onStartedLeading: () => {
          leading = true;
          metrics.leader.set(1);
          controller.startProcessing(reconcile);
        },
        onStoppedLeading: () => {
          leading = false;
          metrics.leader.set(0);
          // At once (a hung pass may take until its deadline to return), and again once the old
          // term's passes are done, unless leadership came back meanwhile.
          forgetCanaryGauges(metrics);
          void controller.stopProcessing().then(() => {
            if (!leading) forgetCanaryGauges(metrics);
          });
        },
      })
    : undefined;
  if (elector) elector.start();
  else {
    metrics.leader.set(1);
    controller.startProcessing(reconcile);
  }

  exitOnSignals(log, 'shutting down: finishing running passes', async () => {
    leading = false;
    await controller.stop();
    await owned.stop();
    await elector?.stop();
    server.close();
  });
}

main().catch((err: unknown) => {
  console.error('fledge: fatal:', err);
  process.exit(1);
});
