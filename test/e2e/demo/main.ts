// `npm run demo` (docs/demo.md): fledge end to end on this machine, no Docker. Starts a local control
// plane, a real Prometheus, the loopback data plane under steady load and the real operator; puts
// `podinfo` under a Canary; releases a healthy version (promoted) and a faulty one (rolled back),
// showing live progress; prints a summary; stops everything it started, also on Ctrl-C or failure.
// Exit 0 only if both releases ended as expected.
import { startCluster, type Cluster } from '../../env/cluster.ts';
import { colors } from '../../../operator/src/cli/render.ts';
import { watchCanary } from '../../../operator/src/cli/watch.ts';
import type { AppVersion } from '../dataplane/fixtures.ts';
import { installCrds, operatorLog, startScenario, version, type Scenario } from '../scenario.ts';
import { passed, reasonOf, summaryTable, type ReleaseResult } from './summary.ts';

const tty = process.stdout.isTTY === true;
const c = colors(tty && !('NO_COLOR' in process.env));
const t0 = Date.now();
const elapsed = () => {
  const s = Math.floor((Date.now() - t0) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const say = (msg: string) => console.log(`${c.dim(elapsed())} ${msg}`);
const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  const start = Date.now();
  say(`${c.cyan('▸')} ${what}…`);
  const value = await run();
  say(`${c.green('✔')} ${what} ${c.dim(`(${((Date.now() - start) / 1000).toFixed(1)}s)`)}`);
  return value;
};

// Everything started, in start order; stopped in reverse, once, whatever happens.
const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const s of stops.splice(0).reverse()) {
      say(c.dim(`stopping ${s.name}`));
      await s.stop().catch((err: unknown) => say(c.red(`stopping ${s.name} failed: ${String(err)}`)));
    }
  })());

const abort = new AbortController();
let cluster: Cluster | undefined;
// Ctrl-C aborts: the step under way settles (a half-started step stops what it started), then the
// cleanup stops everything else. A second Ctrl-C exits at once.
const onSignal = (signal: NodeJS.Signals) => {
  if (abort.signal.aborted) {
    console.error(
      `\n${signal} again: exiting without cleanup.${cluster ? ` Processes of the control plane are listed in ${cluster.dir}/cluster.json` : ''}`,
    );
    process.exit(130);
  }
  console.log(`\n${c.yellow(`${signal}: stopping everything the demo started`)} (again to force)`);
  abort.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const operatorDied = new AbortController();
const checkAborted = () => {
  if (abort.signal.aborted) throw new Error('interrupted');
};

async function release(
  s: Scenario,
  title: string,
  tag: string,
  v: AppVersion,
  expected: ReleaseResult['expected'],
) {
  const behaviour =
    v.errorRate || v.latencyMs ? `error rate ${v.errorRate}, latency ${v.latencyMs} ms` : 'healthy';
  console.log();
  say(
    `${c.bold(title)}: podinfo ${c.bold(tag)} (${behaviour}); fledge should ${expected === 'Succeeded' ? 'promote' : 'roll back'} it`,
  );
  const start = Date.now();
  const before = await s.release(v);
  const result = await watchCanary({
    kc: s.kc,
    namespace: s.namespace,
    name: s.app,
    out: process.stdout,
    tty,
    color: tty,
    ...(before ? { afterRevision: before } : {}),
    timeoutMs: 180_000,
    signal: AbortSignal.any([abort.signal, operatorDied.signal]),
  });
  checkAborted();
  if (operatorDied.signal.aborted) throw new Error(String(operatorDied.signal.reason));
  const r: ReleaseResult = {
    title,
    version: tag,
    behaviour,
    expected,
    outcome: result.end === 'phase' ? (result.status?.phase ?? 'unknown') : result.end,
    seconds: (Date.now() - start) / 1000,
    status: result.status,
  };
  const primary = await s.f.readDeployment(`${s.app}-primary`);
  const serving = primary.spec?.template.spec?.containers[0]?.image?.split(':').at(-1);
  say(
    `${passed(r) ? c.green('✔') : c.red('✘')} ${r.outcome} after ${r.seconds.toFixed(0)}s: ${reasonOf(r.status)}; podinfo-primary runs ${c.bold(serving ?? '?')}`,
  );
  return r;
}

async function main(): Promise<number> {
  console.log(c.bold('fledge demo: a canary release promoted, a faulty one rolled back'));
  cluster = await step('starting a local control plane (etcd, kube-apiserver, controllers, kwok nodes)', () =>
    startCluster(),
  );
  const k = cluster;
  stops.push({ name: 'the control plane', stop: () => k.stop() });
  checkAborted();
  await step('installing the fledge CRDs and the HTTPRoute CRD', () => installCrds(k.kubectl, k.kubeconfig));
  checkAborted();

  const scenario = await step(
    'starting the data plane (50 rps), Prometheus and the fledge operator; podinfo under a Canary',
    () =>
      startScenario(
        { kubeconfig: k.kubeconfig, namespace: 'demo', rps: 50, interval: '3s', threshold: 2 },
        (p) => say(c.dim(`  starting ${p}`)),
      ),
  );
  stops.push({ name: 'operator, data plane and Prometheus', stop: () => scenario.stop() });
  checkAborted();
  void scenario.operator.exited.then((code) => {
    if (!cleaning)
      operatorDied.abort(`the operator exited (${code ?? 'signal'}); log: ${operatorLog('demo')}`);
  });
  say(
    `  Canary demo/podinfo Initialized: gatewayapi, every 3s +20% up to 60%, checks success-rate ≥ 99 and latency-p99 ≤ 500 ms, rollback after 2 failed checks`,
  );
  say(c.dim(`  follow along in another terminal: KUBECONFIG=${k.kubeconfig} npm run -s fledge -- get -A`));
  say(
    c.dim(
      `  Prometheus ${scenario.prometheus.url}, router ${scenario.dataPlane.routerUrl}, operator log: ${operatorLog('demo')}`,
    ),
  );

  const results = [
    await release(scenario, 'release 1', '6.0.1', version('6.0.1'), 'Succeeded'),
    await release(scenario, 'release 2', '6.0.2', version('6.0.2', { errorRate: 0.3 }), 'Failed'),
  ];
  console.log();
  console.log(summaryTable(results, c));
  const ok = results.every(passed);
  console.log();
  say(
    ok
      ? c.green(c.bold('demo passed: both releases ended as expected'))
      : c.red(c.bold('demo FAILED: see above')),
  );
  return ok ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  if (!abort.signal.aborted)
    console.error(c.red(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
}
console.log();
say(`${c.cyan('▸')} cleaning up…`);
await cleanup();
say(`${c.green('✔')} cleaned up`);
say(`total ${elapsed()}`);
process.exit(abort.signal.aborted ? 130 : code);
