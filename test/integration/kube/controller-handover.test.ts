import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../../../operator/src/controller.ts';
import { createMetrics } from '../../../operator/src/runtime/metrics.ts';
import { waitFor } from '../../env/wait.ts';
import { installFledgeCrds } from '../crds.ts';
import { fixtures } from '../operator/fixtures.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

// A leader that loses the lease and wins it back quickly calls stopProcessing then startProcessing
// while a pass of the old queue is still running (it may be stuck in an API call). The new queue
// must not start a pass until that one has returned, or one canary is reconciled twice at once.
describe('controller: a quick re-acquire of the lease', () => {
  const kc = testKubeConfig();
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let controller: Controller;
  beforeAll(async () => {
    await installFledgeCrds(kc);
    ns = await testNamespace(kc, 'handover');
    controller = new Controller(kc, {
      namespace: ns.name,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      concurrency: 4,
      resyncMs: 60_000,
    });
    await controller.startInformers();
  });
  afterAll(async () => {
    await controller?.stop();
    await ns?.remove();
  });

  it('starts no pass of the new queue until every pass of the old one has returned', async () => {
    const f = fixtures(kc, ns.name);
    await f.createCanary('held', {
      provider: 'kubernetes',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'held' },
      service: { port: 80 },
      analysis: { interval: '10s', threshold: 1, iterations: 1 },
    });
    const log: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    controller.startProcessing(async (key) => {
      log.push(`old start ${key}`);
      await held;
      log.push(`old end ${key}`);
    });
    const key = `${ns.name}/held`;
    await waitFor('the old queue to start the pass', () => log.includes(`old start ${key}`));

    const stopped = controller.stopProcessing();
    controller.startProcessing(async (k) => {
      log.push(`new start ${k}`);
    });
    // The new queue would start as soon as the caches are synced (they are): give it that chance
    // on the real informers before the old pass returns. Waiting here cannot make the test pass.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(log).toEqual([`old start ${key}`]);

    release();
    await stopped;
    await waitFor('the new queue to run the canary', () => log.includes(`new start ${key}`));
    expect(log).toEqual([`old start ${key}`, `old end ${key}`, `new start ${key}`]);
  });
});
