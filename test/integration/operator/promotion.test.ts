import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { binaries } from '../../env/binaries.ts';
import { waitFor } from '../../env/wait.ts';
import type { Prometheus } from '../../env/prometheus.ts';
import { initialized, type fixtures } from './fixtures.ts';
import { recordStatuses } from './recorder.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

// Initialization, a promotion and a rollback of one Canary, driven by the real operator process
// against the real API server, with checks answered by a real Prometheus scraping a gauge the
// test sets: 99 (healthy) or 50 (failing) for the success rate.
describe('operator: initialize, promote, roll back', () => {
  let env: OperatorEnv;
  let ns: { name: string };
  let f: ReturnType<typeof fixtures>;
  let prometheus: Prometheus;
  const kc = () => env.kc;
  const route = () =>
    f.custom.getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: ns.name,
      plural: 'httproutes',
      name: 'web',
    }) as Promise<{ spec: { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> } }>;
  const weights = async () =>
    Object.fromEntries((await route()).spec.rules[0]!.backendRefs.map((b) => [b.name, b.weight]));
  const setSuccessRate = (v: number) => env.setSuccessRate('web', v);

  beforeAll(async () => {
    env = await operatorEnv('promote');
    ns = { name: env.ns };
    f = env.f;
    prometheus = env.prometheus;
    setSuccessRate(99);
    await prometheus.waitForSeries(`test_success_rate{namespace="${ns.name}"}`);
    await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  it('initializes: primary, services and route at 100/0, target scaled to zero, Ready', async () => {
    await f.createDeployment(f.deployment('web', 'example/web:1'));
    const spec = env.canarySpec('web');
    await f.createCanary('web', {
      ...spec,
      service: { port: 80, targetPort: 8080, gatewayRefs: [{ name: 'gw' }] },
    });
    const status = await f.waitForStatus('web', 'Initialized', initialized);
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Initialized',
    });
    expect(status.conditions?.find((c) => c.type === 'Promoted')).toMatchObject({ status: 'True' });
    expect(status.lastPromotedSpec).toBe(status.lastAppliedSpec);
    const primary = await f.readDeployment('web-primary');
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('example/web:1');
    expect(primary.spec?.selector.matchLabels).toEqual({ app: 'web-primary' });
    expect((await f.readDeployment('web')).spec?.replicas).toBe(0);
    const services = await f.core.listNamespacedService({ namespace: ns.name });
    expect(services.items.map((s) => [s.metadata?.name, s.spec?.selector?.['app']]).sort()).toEqual([
      ['web', 'web-primary'],
      ['web-canary', 'web'],
      ['web-primary', 'web-primary'],
    ]);
    expect(await weights()).toEqual({ 'web-primary': 100, 'web-canary': 0 });

    const { kubectl } = await binaries();
    const { stdout } = await promisify(execFile)(kubectl, [
      `--kubeconfig=${inject('kubeconfig')}`,
      '-n',
      ns.name,
      'get',
      'canaries',
    ]);
    expect(stdout.split('\n')[0]).toMatch(
      /^NAME\s+STATUS\s+WEIGHT\s+FAILEDCHECKS\s+LASTTRANSITIONTIME\s+AGE/,
    );
    expect(stdout.split('\n')[1]).toMatch(/^web\s+Initialized\s+0\s+0\s+/);
  });

  it('promotes a healthy revision step by step: 20, 40, 60, then the primary', async () => {
    const rec = await recordStatuses(kc(), ns.name, 'web');
    try {
      await f.setImage('web', 'example/web:2');
      const done = await f.waitForStatus('web', 'Succeeded', (s) => s.phase === 'Succeeded');
      const steps = rec.steps();
      const progress = steps.filter((s) => s.startsWith('Progressing:'));
      // Every status write is seen by the watch: the weights must climb one step at a time.
      expect(progress.map((s) => Number(s.split(':')[1]))).toEqual([0, 20, 40, 60]);
      expect(steps.slice(steps.indexOf('Progressing:60') + 1).map((s) => s.split(':')[0])).toEqual([
        'Promoting',
        'Finalising',
        'Succeeded',
      ]);
      expect(done.failedChecks).toBe(0);
      expect(done.lastPromotedSpec).toBe(done.lastAppliedSpec);
      expect(done.checks?.[0]).toMatchObject({ name: 'success-rate', value: 99, min: 95, verdict: 'Pass' });
    } finally {
      rec.stop();
    }
    expect((await f.readDeployment('web-primary')).spec?.template.spec?.containers[0]?.image).toBe(
      'example/web:2',
    );
    expect((await f.readDeployment('web')).spec?.replicas).toBe(0);
    expect(await weights()).toEqual({ 'web-primary': 100, 'web-canary': 0 });
    const reasons = (await f.events('web')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['NewRevision', 'Advanced', 'Promoting', 'Succeeded']));
  });

  it('rolls back a revision whose checks fail, keeping the primary', async () => {
    setSuccessRate(50);
    await prometheus.waitForSeries(`test_success_rate{namespace="${ns.name}"} == 50`);
    const before = await f.readDeployment('web-primary');
    await f.setImage('web', 'example/web:3');
    const failed = await f.waitForStatus('web', 'Failed', (s) => s.phase === 'Failed');
    expect(failed.failedChecks).toBe(2);
    expect(failed.canaryWeight).toBe(0);
    expect(failed.checks?.[0]).toMatchObject({ name: 'success-rate', value: 50, min: 95, verdict: 'Fail' });
    expect(failed.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Failed',
    });
    expect(failed.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({ status: 'True' });
    const primary = await f.readDeployment('web-primary');
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('example/web:2');
    expect(primary.metadata?.generation).toBe(before.metadata?.generation);
    // Failed is persisted before its effects run (decide, persist, act): wait for them, bounded.
    const rolledBack = async () =>
      JSON.stringify(await weights()) === JSON.stringify({ 'web-primary': 100, 'web-canary': 0 }) &&
      (await f.readDeployment('web')).spec?.replicas === 0;
    await waitFor('the rollback to be applied', rolledBack, { timeoutMs: 10_000 });
    expect(await weights()).toEqual({ 'web-primary': 100, 'web-canary': 0 });
    expect((await f.readDeployment('web')).spec?.replicas).toBe(0);
    const warnings = (await f.events('web')).filter((e) => e.type === 'Warning').map((e) => e.reason);
    expect(warnings).toEqual(expect.arrayContaining(['CheckFailed', 'RolledBack']));
  });

  it('does not treat reverting the target to the promoted spec as a new revision', async () => {
    const before = await f.getCanary('web');
    await f.setImage('web', 'example/web:2');
    const after = await f.waitForStatus(
      'web',
      'the revert accepted',
      (s) => s.lastAppliedSpec === before.status?.lastPromotedSpec,
    );
    expect(after.canaryWeight).toBe(0);
    expect(after.lastPromotedSpec).toBe(before.status?.lastPromotedSpec);
    expect((await f.readDeployment('web')).spec?.replicas).toBe(0);
  });
});
