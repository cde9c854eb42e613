import type { V1DaemonSet } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { initialized } from './fixtures.ts';
import type { OperatorProcess } from './harness.ts';
import { operatorEnv, reconcileCount, type OperatorEnv } from './setup.ts';

const KEY = 'fledge.dev/scale-to-zero';

// Flagger's DaemonSet targets on the real control plane: the kube-controller-manager's DaemonSet
// controller runs one pod per kwok node, so "held at zero" and "rolled out" are the controller's
// own numbers, not ours.
describe('operator: DaemonSet targets', () => {
  let env: OperatorEnv;
  let op: OperatorProcess;
  beforeAll(async () => {
    env = await operatorEnv('ds');
    op = await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  const daemonSet = (name: string, image: string, strategy = 'RollingUpdate'): V1DaemonSet => ({
    metadata: { name, namespace: env.ns, labels: { team: 'ops' } },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: { type: strategy },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'agent', image }] },
      },
    },
  });
  const read = (name: string) => env.f.apps.readNamespacedDaemonSet({ name, namespace: env.ns });
  const setImage = (name: string, image: string) =>
    env.f.apps.patchNamespacedDaemonSet(
      {
        name,
        namespace: env.ns,
        body: { spec: { template: { spec: { containers: [{ name: 'agent', image }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  const spec = (name: string, provider: 'kubernetes' | 'gatewayapi') =>
    env.canarySpec(
      name,
      provider === 'kubernetes' ? { iterations: 2, maxWeight: undefined, stepWeight: undefined } : {},
      {
        targetRef: { apiVersion: 'apps/v1', kind: 'DaemonSet', name },
        provider,
        service: provider === 'kubernetes' ? { port: 80 } : { port: 80, gatewayRefs: [{ name: 'gw' }] },
      },
    );
  const stalledStatus = (name: string) =>
    env.f.waitForStatus(name, 'Stalled', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
    );
  const nodes = async () => (await env.f.core.listNode()).items.length;

  it('blue/green: a primary DaemonSet on every node, the target held at zero, a release promoted and one rolled back', async () => {
    const { f } = env;
    env.setSuccessRate('agent', 99);
    await env.prometheus.waitForSeries(`test_success_rate{namespace="${env.ns}",target="agent"}`);
    await f.apps.createNamespacedDaemonSet({
      namespace: env.ns,
      body: daemonSet('agent', 'example/agent:1'),
    });
    await f.createCanary('agent', spec('agent', 'kubernetes'));
    await f.waitForStatus('agent', 'Initialized', initialized);

    const n = await nodes();
    const primary = await waitFor('agent-primary on every node', async () => {
      const p = await read('agent-primary');
      return p.status?.numberAvailable === n ? p : undefined;
    });
    expect(primary.spec?.selector).toEqual({ matchLabels: { app: 'agent-primary' } });
    expect(primary.spec?.template.spec?.nodeSelector ?? {}).not.toHaveProperty(KEY);
    expect(primary.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Canary', name: 'agent' });
    // The target waits at zero: its own controller schedules it nowhere.
    await waitFor('the target held at zero', async () => {
      const t = await read('agent');
      return t.spec?.template.spec?.nodeSelector?.[KEY] === 'true' && t.status?.desiredNumberScheduled === 0;
    });
    const initialRevision = (await f.getCanary('agent')).status?.lastAppliedSpec;
    // Holding it at zero edited its template; passes after that (each annotation is a watch
    // event) still see the initialized revision: no release started.
    const passes = await reconcileCount(op.metricsUrl);
    let touch = 0;
    await waitFor(
      'three more passes after the hold',
      async () => {
        await f.annotateCanary('agent', { 'test/touch': String(touch++) });
        return (await reconcileCount(op.metricsUrl)) >= passes + 3;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    const still = (await f.getCanary('agent')).status;
    expect(still?.phase).toBe('Initialized');
    expect(still?.lastAppliedSpec).toBe(initialRevision);

    // A new image is a release.
    await setImage('agent', 'example/agent:2');
    const progressing = await f.waitForStatus('agent', 'Progressing', (s) => s.phase === 'Progressing');
    expect(progressing.lastAppliedSpec).not.toBe(initialRevision);
    const done = await f.waitForStatus('agent', 'Succeeded', (s) => s.phase === 'Succeeded');
    expect(done.failedChecks).toBe(0);
    const promoted = await read('agent-primary');
    expect(promoted.spec?.template.spec?.containers[0]?.image).toBe('example/agent:2');
    expect(promoted.spec?.template.spec?.nodeSelector ?? {}).not.toHaveProperty(KEY);
    await waitFor(
      'the target back at zero',
      async () => (await read('agent')).status?.desiredNumberScheduled === 0,
    );

    // A failing release is rolled back: the primary keeps agent:2.
    env.setSuccessRate('agent', 50);
    await setImage('agent', 'example/agent:3');
    const failed = await f.waitForStatus('agent', 'Failed', (s) => s.phase === 'Failed');
    expect(failed.failedChecks).toBe(2);
    expect((await read('agent-primary')).spec?.template.spec?.containers[0]?.image).toBe('example/agent:2');
    await waitFor(
      'the failed target back at zero',
      async () => (await read('agent')).status?.desiredNumberScheduled === 0,
    );
  });

  it('canary release on gatewayapi: the canary DaemonSet runs on every node while it takes weight', async () => {
    const { f } = env;
    env.setSuccessRate('web-agent', 99);
    await env.prometheus.waitForSeries(`test_success_rate{namespace="${env.ns}",target="web-agent"}`);
    await f.apps.createNamespacedDaemonSet({
      namespace: env.ns,
      body: daemonSet('web-agent', 'example/web:1'),
    });
    await f.createCanary('web-agent', spec('web-agent', 'gatewayapi'));
    await f.waitForStatus('web-agent', 'Initialized', initialized);
    await setImage('web-agent', 'example/web:2');
    await f.waitForStatus(
      'web-agent',
      'taking weight',
      (s) => s.phase === 'Progressing' && (s.canaryWeight ?? 0) > 0,
    );
    const n = await nodes();
    const running = await read('web-agent');
    expect(running.spec?.template.spec?.nodeSelector ?? {}).not.toHaveProperty(KEY);
    // It took weight only once ready, so the controller had it on every node.
    expect(running.status?.numberAvailable).toBe(n);
    await f.waitForStatus('web-agent', 'Succeeded', (s) => s.phase === 'Succeeded');
    expect((await read('web-agent-primary')).spec?.template.spec?.containers[0]?.image).toBe('example/web:2');
  });

  it('stalls, naming the field and the reason, on a DaemonSet it cannot release (OnDelete)', async () => {
    const { f } = env;
    await f.apps.createNamespacedDaemonSet({
      namespace: env.ns,
      body: daemonSet('manual', 'example/manual:1', 'OnDelete'),
    });
    await f.createCanary('manual', spec('manual', 'kubernetes'));
    const stalled = await stalledStatus('manual');
    expect(stalled.conditions?.find((c) => c.type === 'Stalled')?.reason).toBe('TargetNotSupported');
    expect(stalled.message).toBe(
      `DaemonSet ${env.ns}/manual must use updateStrategy RollingUpdate, not OnDelete`,
    );
    await expect(read('manual-primary')).rejects.toThrow();

    // A missing DaemonSet is TargetNotFound naming the kind.
    await f.createCanary('ghost', spec('ghost', 'kubernetes'));
    const missing = await stalledStatus('ghost');
    expect(missing.message).toBe(`DaemonSet ${env.ns}/ghost not found`);
  });
});
