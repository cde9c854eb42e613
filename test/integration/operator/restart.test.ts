import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { recordStatuses } from './recorder.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

const leaderOf = async (metricsUrl: string) =>
  /^fledge_leader 1$/m.test(await (await fetch(`${metricsUrl}/metrics`)).text());

// Crashes and leader changes mid-analysis: the release goes on from the persisted status, with
// no step repeated, none skipped, and exactly one promotion of the primary.
describe('operator: restarts and leader election', () => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await operatorEnv('restart');
  });
  afterAll(async () => env?.teardown());

  it('resumes a release after SIGKILL without repeating or skipping a step', async () => {
    const { f } = env;
    const first = await env.startOperator();
    await env.release('crash', env.canarySpec('crash', { interval: '2s', maxWeight: 80, stepWeight: 20 }));
    const generation = (await f.readDeployment('crash-primary')).metadata?.generation ?? 0;
    const rec = await recordStatuses(env.kc, env.ns, 'crash');
    await f.setImage('crash', 'example/crash:2');
    await f.waitForStatus('crash', 'weight 40', (s) => s.canaryWeight === 40);
    await first.kill();
    const second = await env.startOperator();
    const done = await f.waitForStatus('crash', 'Succeeded', (s) => s.phase === 'Succeeded', 45_000);
    rec.stop();
    const weights = rec.progressingWeights();
    expect(weights).toEqual([0, 20, 40, 60, 80]);
    expect(done.lastPromotedSpec).toBe(done.lastAppliedSpec);
    // One template replacement: the promotion happened exactly once.
    const primary = await f.readDeployment('crash-primary');
    expect(primary.metadata?.generation).toBe(generation + 1);
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('example/crash:2');
    await second.stop();
  });

  it('lets only the leader act, and a standby takes over when the leader dies', async () => {
    const { f } = env;
    const election = {
      FLEDGE_LEADER_ELECT: 'true',
      FLEDGE_LEASE_DURATION_SECONDS: '4',
      FLEDGE_RENEW_DEADLINE_SECONDS: '3',
      FLEDGE_RETRY_PERIOD_SECONDS: '1',
    };
    const a = await env.startOperator({ ...election, FLEDGE_IDENTITY: 'replica-a' });
    const b = await env.startOperator({ ...election, FLEDGE_IDENTITY: 'replica-b' });
    const leader = await waitFor('one leader', async () => {
      const [la, lb] = await Promise.all([leaderOf(a.metricsUrl), leaderOf(b.metricsUrl)]);
      return la !== lb && (la ? 'a' : 'b');
    });
    const [active, standby] = leader === 'a' ? [a, b] : [b, a];
    await env.release('ha', env.canarySpec('ha', { interval: '2s', maxWeight: 80, stepWeight: 20 }));
    const rec = await recordStatuses(env.kc, env.ns, 'ha');
    await f.setImage('ha', 'example/ha:2');
    await f.waitForStatus('ha', 'weight 20', (s) => s.canaryWeight === 20);
    expect(await leaderOf(standby.metricsUrl)).toBe(false);
    expect(standby.logs()).not.toMatch(/"phase changed"/);
    await active.kill(); // no release of the lease: the standby must wait for it to expire
    await waitFor('the standby to lead', () => leaderOf(standby.metricsUrl), { timeoutMs: 15_000 });
    await f.waitForStatus('ha', 'Succeeded', (s) => s.phase === 'Succeeded', 45_000);
    rec.stop();
    const weights = rec.progressingWeights();
    expect(weights).toEqual([0, 20, 40, 60, 80]);
    await standby.waitForLog(/"phase":"Succeeded"/);
    const lease = await f.readLease();
    expect(lease.spec.holderIdentity).toBe(leader === 'a' ? 'replica-b' : 'replica-a');
    expect(lease.spec.leaseTransitions).toBeGreaterThanOrEqual(1);
  });
});
