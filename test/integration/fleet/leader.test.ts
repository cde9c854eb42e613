import { CoordinationV1Api } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import type { OperatorProcess } from '../operator/harness.ts';
import { hubEnv, type HubEnv } from './fleet-env.ts';

/** A counter of the fleet controller's /metrics, summed over its series. */
async function metric(hub: OperatorProcess, name: string): Promise<number> {
  const text = await (await fetch(`${hub.metricsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

// Two fleet controllers with leader election: one acts, the other waits ready, and takes over
// within a lease duration of the leader's SIGKILL.
describe('fleet: one leading fleet controller', () => {
  let env: HubEnv;
  const election = (id: string) => ({
    FLEDGE_LEADER_ELECT: 'true',
    FLEDGE_IDENTITY: id,
    FLEDGE_LEASE_DURATION_SECONDS: '4',
    FLEDGE_RENEW_DEADLINE_SECONDS: '3',
    FLEDGE_RETRY_PERIOD_SECONDS: '1',
  });

  beforeAll(async () => {
    env = await hubEnv('fleet-leader');
    await env.registerCluster(
      'self',
      { 'fledge.dev/fleet': 'self' },
      await readFile(inject('kubeconfig'), 'utf8'),
      {
        'fledge.dev/canary-namespace': 'nowhere',
      },
    );
    await env.createFleet('probe', {
      canaryRef: { namespace: 'shop', name: 'web' },
      clusters: 'fledge.dev/fleet=self',
      waves: [{ name: 'all', clusters: '' }],
    });
  });
  afterAll(async () => env?.teardown());

  it('passes only on the leader, and on the standby once the leader is killed', async () => {
    const a = await env.startHub(election('hub-a'));
    await waitFor('hub-a leading', async () => (await metric(a, 'fledge_fleet_leader')) === 1);
    const b = await env.startHub(election('hub-b'));
    await waitFor(
      'hub-a passes',
      async () => (await metric(a, 'fledge_fleet_pass_duration_seconds_count')) >= 2,
    );
    const leases = env.hubKc.makeApiClient(CoordinationV1Api);
    const lease = await leases.readNamespacedLease({ name: 'fledge-fleet-leader', namespace: env.hubNs });
    expect(lease.spec?.holderIdentity).toBe('hub-a');
    expect(await metric(b, 'fledge_fleet_leader')).toBe(0);
    expect(await metric(b, 'fledge_fleet_pass_duration_seconds_count')).toBe(0);
    const killedAt = Date.now();
    await a.kill();
    await waitFor(
      'hub-b passes',
      async () => (await metric(b, 'fledge_fleet_pass_duration_seconds_count')) >= 1,
      {
        timeoutMs: 20_000,
      },
    );
    // Within the lease duration (4 s) plus a retry period and a poll.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const after = await leases.readNamespacedLease({ name: 'fledge-fleet-leader', namespace: env.hubNs });
    expect(after.spec?.holderIdentity).toBe('hub-b');
    const s = await env.fleetStatus('probe');
    expect(s?.conditions?.find((c) => c.type === 'MembersReachable')?.message).toMatch(
      /Canary nowhere\/web not found/,
    );
  });
});
