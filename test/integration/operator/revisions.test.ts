import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { recordStatuses } from './recorder.ts';
import { operatorEnv, reconcileCount, type OperatorEnv } from './setup.ts';
import type { OperatorProcess } from './harness.ts';
import { initialized, settledIn } from './fixtures.ts';

// What counts as a new revision and what the user can switch: a revision replacing the one under
// analysis, a tracked ConfigMap change, suspend and skipAnalysis.
describe('operator: revisions, suspend, skipAnalysis', () => {
  let env: OperatorEnv;
  let op: OperatorProcess;
  beforeAll(async () => {
    env = await operatorEnv('revisions');
    op = await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  it('restarts the analysis when a new revision arrives mid-analysis', async () => {
    const { f } = env;
    await env.release('moving', env.canarySpec('moving', { maxWeight: 100, stepWeight: 10, interval: '1s' }));
    await f.setImage('moving', 'example/moving:2');
    const mid = await f.waitForStatus('moving', 'weight 30', (s) => (s.canaryWeight ?? 0) >= 30);
    const rec = await recordStatuses(env.kc, env.ns, 'moving');
    await f.setImage('moving', 'example/moving:3');
    const restarted = await f.waitForStatus(
      'moving',
      'the new revision under analysis',
      (s) => s.lastAppliedSpec !== mid.lastAppliedSpec,
    );
    expect(restarted.canaryWeight).toBeLessThanOrEqual(10);
    expect(restarted.failedChecks).toBe(0);
    const done = await f.waitForStatus('moving', 'Succeeded', (s) => s.phase === 'Succeeded', 45_000);
    rec.stop();
    expect(done.lastPromotedSpec).toBe(restarted.lastAppliedSpec);
    // The weight went back down before climbing again, and revision 2 was never promoted.
    const weights = rec.statuses().map((s) => s.canaryWeight ?? 0);
    expect(
      Math.min(...weights.slice(0, weights.indexOf(100) === -1 ? undefined : weights.indexOf(100))),
    ).toBeLessThanOrEqual(10);
    expect((await f.readDeployment('moving-primary')).spec?.template.spec?.containers[0]?.image).toBe(
      'example/moving:3',
    );
  });

  it('sees a change to a tracked ConfigMap as a new revision within a second and promotes a -primary copy', async () => {
    const { f } = env;
    await f.core.createNamespacedConfigMap({
      namespace: env.ns,
      body: { metadata: { name: 'settings' }, data: { colour: 'blue' } },
    });
    const dep = f.deployment('configured', 'example/configured:1');
    dep.spec!.template.spec!.containers[0]!.envFrom = [{ configMapRef: { name: 'settings' } }];
    env.setSuccessRate('configured', 99);
    await f.createDeployment(dep);
    await f.createCanary('configured', env.canarySpec('configured'));
    const init = await f.waitForStatus('configured', 'Initialized', initialized);
    expect(Object.keys(init.trackedConfigs ?? {})).toEqual(['configmap/settings']);
    const copy = await f.core.readNamespacedConfigMap({ name: 'settings-primary', namespace: env.ns });
    expect(copy.data).toEqual({ colour: 'blue' });

    const changedAt = Date.now();
    await f.core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: env.ns,
      body: { metadata: { name: 'settings' }, data: { colour: 'green' } },
    });
    const progressing = await f.waitForStatus(
      'configured',
      'a new revision',
      (s) => s.lastAppliedSpec !== init.lastAppliedSpec,
    );
    const detectedMs = Date.now() - changedAt;
    expect(progressing.trackedConfigs?.['configmap/settings']).not.toBe(
      init.trackedConfigs?.['configmap/settings'],
    );
    expect(detectedMs).toBeLessThan(5_000); // event-driven; the analysis interval here is 1 s, the resync 300 s
    await f.waitForStatus('configured', 'Succeeded', (s) => s.phase === 'Succeeded');
    await waitFor('the -primary copy to be updated', async () => {
      const cm = await f.core.readNamespacedConfigMap({ name: 'settings-primary', namespace: env.ns });
      return cm.data?.['colour'] === 'green';
    });
    const primary = await f.readDeployment('configured-primary');
    expect(primary.spec?.template.spec?.containers[0]?.envFrom?.[0]?.configMapRef?.name).toBe(
      'settings-primary',
    );
  });

  it('holds a release while suspended and resumes it after', async () => {
    const { f } = env;
    await env.release('paused', env.canarySpec('paused', { maxWeight: 100, stepWeight: 10 }));
    await f.setImage('paused', 'example/paused:2');
    await f.waitForStatus('paused', 'weight 20', (s) => (s.canaryWeight ?? 0) >= 20);
    await f.patchCanarySpec('paused', { suspend: true });
    const held = await f.waitForStatus('paused', 'suspended', (s) => /suspended/.test(s.message ?? ''));
    // Make the operator reconcile again and again (each annotation is a watch event) until the
    // step that was due has been due three times over, and see nothing move.
    const passes = await reconcileCount(op.metricsUrl);
    const dueBy = Date.parse(held.nextStepAt ?? new Date().toISOString()) + 3_000;
    let touch = 0;
    await waitFor(
      'five more passes after the step was due three times',
      async () => {
        await f.custom.patchNamespacedCustomObject(
          {
            group: 'fledge.dev',
            version: 'v1alpha1',
            namespace: env.ns,
            plural: 'canaries',
            name: 'paused',
            body: { metadata: { annotations: { 'test/touch': String(touch++) } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return Date.now() > dueBy && (await reconcileCount(op.metricsUrl)) >= passes + 5;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    const still = await f.getCanary('paused');
    expect(still.status?.canaryWeight).toBe(held.canaryWeight);
    expect(still.status?.phase).toBe('Progressing');
    await f.patchCanarySpec('paused', { suspend: false });
    await f.waitForStatus('paused', 'Succeeded', (s) => s.phase === 'Succeeded', 45_000);
  });

  it('promotes without analysis when skipAnalysis is set', async () => {
    const { f } = env;
    await env.release('skipper', env.canarySpec('skipper'));
    env.setSuccessRate('skipper', 10); // would fail every check
    await f.patchCanarySpec('skipper', { skipAnalysis: true });
    await f.setImage('skipper', 'example/skipper:2');
    // Succeeded carries the promotion as its effect here (no Promoting phase): wait until applied.
    const done = await f.waitForStatus('skipper', 'Succeeded and applied', settledIn('Succeeded'));
    expect(done.failedChecks).toBe(0);
    expect(done.checks ?? []).toEqual([]);
    expect((await f.readDeployment('skipper-primary')).spec?.template.spec?.containers[0]?.image).toBe(
      'example/skipper:2',
    );
  });
});
