import { KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries } from '../../env/binaries.ts';
import { providerCrdFile } from '../../env/provider-crds.ts';
import { waitFor } from '../../env/wait.ts';
import { startCluster, type Cluster } from '../../env/cluster.ts';
import { testNamespace } from '../support.ts';
import { fixtures, initialized } from './fixtures.ts';
import { startOperator, type OperatorProcess } from './harness.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// `helm install` applies the CRDs and starts the operator together: its first LISTs meet CRDs
// that are not served yet (404) and storage that is still initializing (429). This file gets a
// control plane of its own, so the CRDs are new to the API server, as on a fresh install. Each
// Canary is created the moment the API server accepts it.
describe('operator: started together with its CRDs', () => {
  let cluster: Cluster;
  let kc: KubeConfig;
  let operator: OperatorProcess | undefined;

  beforeAll(async () => {
    cluster = await startCluster();
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
  });
  afterAll(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  it('sees Canaries created at once and detects their releases', async () => {
    const ns = await testNamespace(kc, 'cold');
    const f = fixtures(kc, ns.name);
    const { kubectl } = await binaries();
    const names = ['a', 'b', 'c'];
    for (const n of names) await f.createDeployment(f.deployment(n, `example/${n}:1`));
    // The operator first, then the CRDs the moment its first LISTs have failed on them: its
    // informers then restart while the API server is still setting up storage for the new types.
    const starting = startOperator({ kubeconfig: cluster.kubeconfig, namespace: ns.name, env: {} });
    const logFile = join(tmpdir(), `fledge-operator-${ns.name}.log`);
    await waitFor('the operator to find the CRDs missing', async () =>
      (await readFile(logFile, 'utf8').catch(() => '')).includes('watch failed; restarting'),
    );
    const applied = Date.now();
    await promisify(execFile)(kubectl, [
      `--kubeconfig=${cluster.kubeconfig}`,
      'apply',
      '--server-side',
      '-f',
      join(root, 'crds'),
      '-f',
      providerCrdFile('gatewayapi'),
    ]);
    for (const n of names) {
      // The API server refuses the create until the CRD is served; retry like a GitOps agent would.
      for (let attempt = 0; ; attempt++) {
        try {
          await f.createCanary(n, {
            provider: 'gatewayapi',
            targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n },
            service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
            analysis: { interval: '1s', threshold: 2, maxWeight: 50, stepWeight: 50 },
          });
          break;
        } catch (err) {
          if (attempt > 100) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
    operator = await starting;
    const ready = Date.now();
    for (const n of names) await f.waitForStatus(n, 'Initialized', initialized, 30_000);
    const allInitialized = Date.now();

    const released = Date.now();
    await Promise.all(names.map((n) => f.setImage(n, `example/${n}:2`)));
    const detected = await Promise.all(
      names.map(async (n) => {
        await f.waitForStatus(n, 'release detected', (s) => s.phase === 'Progressing', 30_000);
        return Date.now() - released;
      }),
    );
    console.log(
      `cold start: operator ready ${ready - applied} ms after the CRDs were applied, ` +
        `all Initialized after ${allInitialized - applied} ms, releases detected in ${detected.join(', ')} ms`,
    );
    // Not a benchmark: bounds far above the measured figures, far below the minutes a deaf informer took.
    expect(allInitialized - applied).toBeLessThan(30_000);
    expect(Math.max(...detected)).toBeLessThan(10_000);
    expect(operator.logs()).not.toMatch(/"level":50/);
  });
});
