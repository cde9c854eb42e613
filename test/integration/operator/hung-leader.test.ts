import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTcpProxy, viaProxy, type TcpProxy } from '../../env/tcp-proxy.ts';
import { waitFor } from '../../env/wait.ts';
import { recordStatuses } from './recorder.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

const leaderOf = async (metricsUrl: string) =>
  /^fledge_leader 1$/m.test(await (await fetch(`${metricsUrl}/metrics`)).text());
/** The canary weight series a replica exports. */
const weightSeries = async (metricsUrl: string) =>
  (await (await fetch(`${metricsUrl}/metrics`)).text())
    .split('\n')
    .filter((l) => l.startsWith('fledge_canary_weight{'));

// The leader's connection to the API server hangs (a TCP proxy that stops forwarding, no error,
// no reset): its renew never answers. It must stop acting within the renew deadline by its own
// timer, not when a request finally fails, and the standby takes over once the lease expires.
describe('operator: a leader whose API connection hangs', () => {
  let env: OperatorEnv;
  let proxy: TcpProxy;
  beforeAll(async () => {
    env = await operatorEnv('hung');
  });
  afterAll(async () => {
    await proxy?.close();
    await env?.teardown();
  });

  it('steps down within the renew deadline and the standby finishes the release', async () => {
    const { f } = env;
    const server = new URL(env.kc.getCurrentCluster()!.server);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
    const dir = await mkdtemp(join(tmpdir(), 'fledge-hung-'));
    const proxied = join(dir, 'kubeconfig');
    await writeFile(proxied, viaProxy(await readFile(inject('kubeconfig'), 'utf8'), proxy.port), {
      mode: 0o600,
    });
    const election = {
      FLEDGE_LEADER_ELECT: 'true',
      FLEDGE_LEASE_DURATION_SECONDS: '4',
      FLEDGE_RENEW_DEADLINE_SECONDS: '3',
      FLEDGE_RETRY_PERIOD_SECONDS: '1',
    };
    const a = await env.startOperator({ ...election, FLEDGE_IDENTITY: 'replica-a', KUBECONFIG: proxied });
    await waitFor('replica-a to lead', () => leaderOf(a.metricsUrl), { timeoutMs: 15_000 });
    const b = await env.startOperator({ ...election, FLEDGE_IDENTITY: 'replica-b' });
    await env.release('hung', env.canarySpec('hung', { interval: '2s', maxWeight: 80, stepWeight: 20 }));
    const rec = await recordStatuses(env.kc, env.ns, 'hung');
    await f.setImage('hung', 'example/hung:2');
    await f.waitForStatus('hung', 'weight 20', (s) => s.canaryWeight === 20);
    expect(await leaderOf(b.metricsUrl)).toBe(false);
    expect(await weightSeries(a.metricsUrl)).toHaveLength(1);
    expect(await weightSeries(b.metricsUrl)).toEqual([]);

    proxy.setMode('hang');
    const hungAt = Date.now();
    await waitFor('replica-a to step down', async () => !(await leaderOf(a.metricsUrl)), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const steppedDown = Date.now() - hungAt;
    // Only the leader reports canary gauges: the old one drops them as it steps down, not once its
    // hung passes return.
    await waitFor(
      'replica-a to drop its canary gauges',
      async () => (await weightSeries(a.metricsUrl)).length === 0,
      {
        timeoutMs: 2_000,
      },
    );
    await waitFor('replica-b to lead', () => leaderOf(b.metricsUrl), { timeoutMs: 15_000 });
    const tookOver = Date.now() - hungAt;
    await f.waitForStatus('hung', 'Succeeded', (s) => s.phase === 'Succeeded', 60_000);
    rec.stop();
    expect(await weightSeries(b.metricsUrl)).toHaveLength(1);
    console.log(`hung leader: stepped down after ${steppedDown} ms, standby leading after ${tookOver} ms`);
    // The renew deadline (3 s) after the last renew, which was at most a retry period (1 s) before the hang.
    expect(steppedDown).toBeLessThanOrEqual(3_000 + 500);
    expect(a.logs()).toMatch(/"stepping down as leader"/);
    const weights = rec.progressingWeights();
    expect(weights).toEqual([0, 20, 40, 60, 80]);
    const primary = await f.readDeployment('hung-primary');
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('example/hung:2');
    const lease = await f.readLease();
    expect(lease.spec.holderIdentity).toBe('replica-b');
    await a.kill();
  }, 120_000);
});
