import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries } from '../../env/binaries.ts';
import { startCluster, type Cluster } from '../../env/cluster.ts';
import { countRequests, operatorIdentity } from '../../bench/identity.ts';
import { installFledgeCrdsWith } from '../../bench/install.ts';
import { testNamespace } from '../support.ts';
import { fixtures } from './fixtures.ts';
import { startOperator, type OperatorProcess } from './harness.ts';

/** Calls of one release, per canary, by "verb resource[/subresource]". */
type Calls = Record<string, number>;

// A regression guard on the API calls a release costs, counted by the API server itself (its audit
// log, with the operator on an identity of its own). Reads are served by the caches (informers with
// the operator's own writes layered over them), so a release reads nothing from the API server;
// writes stay at one route write per weight change and a bounded number of status writes.
describe('operator: API calls per release (audit log)', () => {
  let cluster: Cluster;
  let kc: KubeConfig;
  let operator: OperatorProcess | undefined;

  beforeAll(async () => {
    cluster = await startCluster({ audit: true });
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const { kubectl } = await binaries();
    await installFledgeCrdsWith(kubectl, cluster.kubeconfig);
  });
  afterAll(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it('reads nothing from the API server during a release and writes each route once per step', async () => {
    const ns = await testNamespace(kc, 'calls');
    const f = fixtures(kc, ns.name);
    const identity = await operatorIdentity(kc, cluster.dir, ns.name);
    const names = ['a', 'b', 'c'];
    for (const n of names) await f.createDeployment(f.deployment(n, `example/${n}:1`));
    operator = await startOperator({
      kubeconfig: identity.kubeconfig,
      namespace: ns.name,
      env: { FLEDGE_LOG_LEVEL: 'info' },
    });
    for (const n of names) {
      await f.createCanary(n, {
        provider: 'gatewayapi',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n },
        service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
        analysis: { interval: '1s', threshold: 1, maxWeight: 50, stepWeight: 25 },
      });
    }
    for (const n of names) {
      await f.waitForStatus(n, 'Initialized', (s) => s.phase === 'Initialized', 60_000);
    }
    const release = async (image: number) => {
      for (const n of names) await f.setImage(n, `example/${n}:${image}`);
      for (const n of names) {
        await f.waitForStatus(
          n,
          `release ${image} Succeeded`,
          // Settled, not only decided: Succeeded is written first with Ready=False (Applying) and
          // Ready=True follows once its effects are applied. Counting before that second write
          // would charge it to the next release.
          (s) =>
            s.phase === 'Succeeded' &&
            (s.lastAppliedSpec ?? '') !== lastApplied.get(n) &&
            (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
          90_000,
        );
        lastApplied.set(n, (await f.getCanary(n)).status?.lastAppliedSpec ?? '');
      }
    };
    const lastApplied = new Map<string, string>();
    // The first release warms the caches of owned objects: their informers start on first use,
    // and on this brand-new cluster their first LIST may meet storage still initializing (429).
    await release(2);
    const before = await countRequests(cluster.dir, identity.username);
    await release(3);
    const after = await countRequests(cluster.dir, identity.username);
    const perCanary: Calls = {};
    for (const [k, v] of after) {
      const d = v - (before.get(k) ?? 0);
      if (d > 0 && !k.startsWith('watch ')) perCanary[k] = d / names.length;
    }

    // No reads: the Canary, its Deployments, Services and route all come from the caches.
    const reads = Object.entries(perCanary).filter(([k]) => k.startsWith('get ') || k.startsWith('list '));
    expect(reads).toEqual([]);
    // Weights 25 and 50, then back to 0 after promotion: three route writes.
    expect(perCanary['update httproutes']).toBe(3);
    // Nothing else is written to Services or routes on a steady object.
    expect(perCanary['update services'] ?? 0).toBe(0);
    expect(perCanary['patch services'] ?? 0).toBe(0);
    // Status: one write per decision (detect, two steps, promote, finalise, succeed, and Ready
    // after Applying). Fails when a change starts writing status on passes that decide nothing
    // (as persisting Event delivery marks once did: a second write after every decision).
    expect(perCanary['patch canaries/status']).toBeLessThanOrEqual(STATUS_WRITES_PER_RELEASE);
  });
});

/** Measured at the commit that added this guard; lower it when a change saves writes. */
const STATUS_WRITES_PER_RELEASE = 7;
