import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
/** Pods no kwok node can take: a rollout that never completes. */
const unschedulable = { spec: { template: { spec: { nodeSelector: { 'fledge.test/none': 'true' } } } } };

// Waits that have no end of their own say so: an unready primary pauses the analysis, a deletion
// with revertOnDeletion holds until the target can take the traffic back. Both show the reason at
// once (Reconciling), and once they outlast progressDeadlineSeconds, Stalled and a Warning Event.
describe('operator: waits that say why', () => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await operatorEnv('waiting');
    await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  it('shows an analysis paused on an unready primary, then Stalled past the deadline', async () => {
    const { f } = env;
    await env.release('pwait', env.canarySpec('pwait', { interval: '1s' }, { progressDeadlineSeconds: 5 }));
    await f.setImage('pwait', 'example/pwait:2');
    await f.waitForStatus('pwait', 'Progressing', (s) => s.phase === 'Progressing');
    await f.apps.patchNamespacedDeployment(
      { name: 'pwait-primary', namespace: env.ns, body: unschedulable },
      strategic,
    );
    const paused = await f.waitForStatus('pwait', 'paused', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Reconciling' && c.reason === 'PrimaryNotReady'),
    );
    expect(paused.message).toMatch(/^analysis paused: primary not ready \(pwait-primary: /);
    const stalled = await f.waitForStatus('pwait', 'Stalled', (s) =>
      (s.conditions ?? []).some(
        (c) => c.type === 'Stalled' && c.status === 'True' && c.reason === 'PrimaryNotReady',
      ),
    );
    expect(stalled.phase).toBe('Progressing');
    expect(stalled.message).toMatch(/for more than 5s$/);
    await waitFor('one Warning Event', async () =>
      (await f.events('pwait')).some((e) => e.type === 'Warning' && e.reason === 'PrimaryNotReady'),
    );
    // No step was taken while paused.
    const weight = stalled.canaryWeight;
    expect((await f.getCanary('pwait')).status?.canaryWeight).toBe(weight);
  });

  it('shows a deletion held by a target that cannot become ready, then Stalled past the deadline', async () => {
    const { f } = env;
    await env.release(
      'dwait',
      env.canarySpec('dwait', {}, { revertOnDeletion: true, progressDeadlineSeconds: 5 }),
    );
    await f.apps.patchNamespacedDeployment(
      { name: 'dwait', namespace: env.ns, body: unschedulable },
      strategic,
    );
    await f.deleteCanary('dwait');
    const held = await f.waitForStatus('dwait', 'held', (s) =>
      (s.conditions ?? []).some((c) => c.reason === 'TargetNotReady'),
    );
    expect(held.phase).toBe('Terminating');
    expect(held.message).toMatch(/^deletion held until the target can take the traffic back/);
    await f.waitForStatus('dwait', 'Stalled', (s) =>
      (s.conditions ?? []).some(
        (c) => c.type === 'Stalled' && c.status === 'True' && c.reason === 'TargetNotReady',
      ),
    );
    await waitFor('one Warning Event', async () =>
      (await f.events('dwait')).some((e) => e.type === 'Warning' && e.reason === 'TargetNotReady'),
    );
    // Traffic stayed on the primary, which still exists: the Canary is not gone.
    expect((await f.readDeployment('dwait-primary')).metadata?.name).toBe('dwait-primary');
  });
});
