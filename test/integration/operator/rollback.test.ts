import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { recordStatuses } from './recorder.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

// Every way a release ends in a rollback: failed checks are covered in promotion.test.ts; here
// a canary that never becomes ready (progress deadline) and a Prometheus that stops answering.
describe('operator: progress deadline and missing metrics', () => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await operatorEnv('rollback');
    await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  it('rolls back a canary that never becomes ready within progressDeadlineSeconds', async () => {
    const { f } = env;
    await env.release('stuck', env.canarySpec('stuck', {}, { progressDeadlineSeconds: 3 }));
    // A node selector no kwok node has: the new pods stay Pending, the canary never gets ready.
    await f.apps.patchNamespacedDeployment(
      {
        name: 'stuck',
        namespace: env.ns,
        body: { spec: { template: { spec: { nodeSelector: { 'fledge.dev/test': 'nowhere' } } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const failed = await f.waitForStatus('stuck', 'Failed', (s) => s.phase === 'Failed');
    expect(failed.canaryWeight).toBe(0);
    expect(failed.failedChecks).toBe(0);
    expect(failed.message).toMatch(/progressDeadline/);
    // Failed is persisted before its effects run (decide, persist, act): wait for the scale-down, bounded.
    await waitFor(
      'the canary scaled down',
      async () => (await f.readDeployment('stuck')).spec?.replicas === 0,
      {
        timeoutMs: 10_000,
      },
    );
    expect((await f.readDeployment('stuck')).spec?.replicas).toBe(0);
    expect((await f.readDeployment('stuck-primary')).spec?.template.spec?.nodeSelector).toBeUndefined();
  });

  it('never promotes while Prometheus is down and rolls back after the threshold', async () => {
    const { f, prometheus } = env;
    await env.release('blind', env.canarySpec('blind', { threshold: 3 }));
    await prometheus.pause();
    try {
      await f.setImage('blind', 'example/blind:2');
      const inconclusive = await f.waitForStatus('blind', 'an inconclusive check', (s) =>
        (s.checks ?? []).some((c) => c.verdict === 'Inconclusive'),
      );
      expect(inconclusive.checks?.[0]?.value).toBeNull();
      // As in Flagger the first step sends traffic before any check (there is nothing to measure
      // at weight 0); after that, no inconclusive check moves it further.
      expect(inconclusive.canaryWeight).toBe(20);
      const rec = await recordStatuses(env.kc, env.ns, 'blind');
      const failed = await f.waitForStatus('blind', 'Failed', (s) => s.phase === 'Failed');
      rec.stop();
      expect(failed.failedChecks).toBe(3);
      expect(Math.max(...rec.statuses().map((s) => s.canaryWeight ?? 0))).toBeLessThanOrEqual(20);
      expect((await f.readDeployment('blind-primary')).spec?.template.spec?.containers[0]?.image).toBe(
        'example/blind:1',
      );
    } finally {
      await prometheus.resume();
    }
  });

  it('continues once Prometheus is back before the threshold', async () => {
    const { f, prometheus } = env;
    // Five 3 s intervals leave room for Prometheus to restart and scrape before the threshold.
    await env.release('flaky', env.canarySpec('flaky', { threshold: 5, interval: '3s' }));
    await prometheus.pause();
    let resumed = false;
    try {
      await f.setImage('flaky', 'example/flaky:2');
      const held = await f.waitForStatus(
        'flaky',
        'one inconclusive check',
        (s) => (s.failedChecks ?? 0) >= 1,
      );
      expect(held.canaryWeight).toBe(20);
      expect(held.checks?.[0]).toMatchObject({ verdict: 'Inconclusive', value: null });
      await prometheus.resume();
      resumed = true;
      await prometheus.waitForSeries(`test_success_rate{namespace="${env.ns}",target="flaky"}`);
      const done = await f.waitForStatus('flaky', 'Succeeded', (s) => s.phase === 'Succeeded', 45_000);
      expect(done.failedChecks).toBeLessThan(5);
      expect((await f.readDeployment('flaky-primary')).spec?.template.spec?.containers[0]?.image).toBe(
        'example/flaky:2',
      );
    } finally {
      if (!resumed) await prometheus.resume();
    }
  });
});
