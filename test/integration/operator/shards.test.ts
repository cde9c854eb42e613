import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseNameFor } from '../../../operator/src/runtime/config.ts';
import { waitFor } from '../../env/wait.ts';
import type { OperatorProcess } from './harness.ts';
import { recordStatuses } from './recorder.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

/** The canaries an operator reports gauges for (only the leader of a shard reports its own). */
const reported = async (op: OperatorProcess) => {
  const text = await (await fetch(`${op.metricsUrl}/metrics`)).text();
  const names = [...text.matchAll(/^fledge_canary_weight\{[^}]*\bname="([^"]+)"/gm)].map((m) => m[1]);
  return [...new Set(names)].sort();
};

const SHARD = 'fledge.dev/shard';

// Two shards of one namespace, each a leader-elected operator with its own selector: every Canary
// is reconciled by exactly one of them, and one relabelled mid-release is finished by the other.
describe('operator: --shard-selector', () => {
  let env: OperatorEnv;
  let a: OperatorProcess;
  let rest: OperatorProcess;
  beforeAll(async () => {
    env = await operatorEnv('shards');
    const election = {
      FLEDGE_LEADER_ELECT: 'true',
      FLEDGE_LEASE_DURATION_SECONDS: '4',
      FLEDGE_RENEW_DEADLINE_SECONDS: '3',
      FLEDGE_RETRY_PERIOD_SECONDS: '1',
    };
    a = await env.startOperator({
      ...election,
      FLEDGE_SHARD_SELECTOR: `${SHARD}=a`,
      FLEDGE_IDENTITY: 'shard-a',
    });
    rest = await env.startOperator({
      ...election,
      FLEDGE_SHARD_SELECTOR: `!${SHARD}`,
      FLEDGE_IDENTITY: 'shard-rest',
    });
  });
  afterAll(async () => env?.teardown());

  it('gives each Canary to one shard, and the new shard finishes a release relabelled mid-way', async () => {
    const { f } = env;
    await env.release('alpha', env.canarySpec('alpha'), { [SHARD]: 'a' });
    await env.release('beta', env.canarySpec('beta', { interval: '2s', maxWeight: 80, stepWeight: 20 }));

    // Each shard leads through a Lease of its own.
    expect((await f.readLease(leaseNameFor(`${SHARD}=a`))).spec.holderIdentity).toBe('shard-a');
    expect((await f.readLease(leaseNameFor(`!${SHARD}`))).spec.holderIdentity).toBe('shard-rest');
    await waitFor('each shard to report only its own canary', async () => {
      const [ofA, ofRest] = [await reported(a), await reported(rest)];
      return ofA.join() === 'alpha' && ofRest.join() === 'beta';
    });

    const rec = await recordStatuses(env.kc, env.ns, 'beta');
    await f.setImage('beta', 'example/beta:2');
    await f.waitForStatus('beta', 'weight 20', (s) => s.canaryWeight === 20);
    await f.labelCanary('beta', { [SHARD]: 'a' });
    const movedAt = new Date();
    await waitFor('beta to move to shard a', async () => {
      const [ofA, ofRest] = [await reported(a), await reported(rest)];
      return ofA.join() === 'alpha,beta' && ofRest.length === 0;
    });
    await f.waitForStatus('beta', 'Succeeded', (s) => s.phase === 'Succeeded', 60_000);
    rec.stop();

    // The release went on from where it was: no step repeated or skipped, nothing rolled back.
    const weights = rec.progressingWeights();
    expect(weights).toEqual([0, 20, 40, 60, 80]);
    expect(rec.statuses().some((s) => s.phase === 'Failed')).toBe(false);
    expect((await f.readDeployment('beta-primary')).spec?.template.spec?.containers[0]?.image).toBe(
      'example/beta:2',
    );
    // What happened after the move was shard a's doing.
    const late = (await f.events('beta')).filter((e) => ['Promoting', 'Succeeded'].includes(e.reason ?? ''));
    expect(late.length).toBeGreaterThan(0);
    expect(late.map((e) => e.reportingInstance)).toEqual(late.map(() => 'shard-a'));
    expect(late.every((e) => new Date(e.lastTimestamp ?? 0).getTime() >= movedAt.getTime() - 1_000)).toBe(
      true,
    );
    // The other shard never touched alpha.
    expect(rest.logs()).not.toMatch(/"canary":"[^"]*\/alpha"/);
  }, 120_000);
});
