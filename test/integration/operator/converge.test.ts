import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../../operator/src/controller.ts';
import { waitFor } from '../../env/wait.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

type Route = {
  metadata: { resourceVersion?: string };
  spec: { rules: Array<{ backendRefs: Array<{ name: string; port: number; weight: number }> }> };
};
const route = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

// Level-triggered: every pass converges what fledge owns to what the spec and the machine say,
// not only while initializing. A hand-edited or deleted route, a hand-scaled canary and a changed
// service port are put right by the next pass, and status claims the new generation only once it
// is applied.
describe('operator: converges every pass', () => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await operatorEnv('converge');
    await env.startOperator();
    await env.release('conv', env.canarySpec('conv'));
  });
  afterAll(async () => env?.teardown());

  const readRoute = async () =>
    (await env.f.custom.getNamespacedCustomObject({ ...route, namespace: env.ns, name: 'conv' })) as Route;
  /** Any metadata change queues a pass (as a resync would). */
  const nudge = (n: number) =>
    env.f.custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: env.ns,
        plural: 'canaries',
        name: 'conv',
        body: { metadata: { annotations: { nudge: String(n) } } },
      },
      merge,
    );

  it('restores a hand-edited route on the next pass', async () => {
    const live = await readRoute();
    const edited = structuredClone(live);
    for (const ref of edited.spec.rules[0]!.backendRefs) ref.weight = 50;
    await env.f.custom.replaceNamespacedCustomObject({
      ...route,
      namespace: env.ns,
      name: 'conv',
      body: edited,
    });
    await nudge(1);
    await waitFor('the route back at 100/0', async () => {
      const refs = (await readRoute()).spec.rules[0]!.backendRefs;
      return (
        refs.find((r) => r.name === 'conv-primary')?.weight === 100 &&
        refs.find((r) => r.name === 'conv-canary')?.weight === 0
      );
    });
  });

  it('recreates a deleted route on the next pass', async () => {
    await env.f.custom.deleteNamespacedCustomObject({ ...route, namespace: env.ns, name: 'conv' });
    await nudge(2);
    await waitFor(
      'the route to exist again',
      async () => (await readRoute().catch(() => undefined)) !== undefined,
    );
  });

  it('scales a hand-scaled canary back to zero at rest on the next pass', async () => {
    await env.f.apps.patchNamespacedDeployment(
      { name: 'conv', namespace: env.ns, body: { spec: { replicas: 3 } } },
      merge,
    );
    await nudge(3);
    await waitFor(
      'the canary back at zero',
      async () => (await env.f.readDeployment('conv')).spec?.replicas === 0,
    );
  });

  it('applies a changed service.port to the Services and the route, then reports the generation', async () => {
    await env.f.patchCanarySpec('conv', { service: { port: 8080 } });
    const generation = (await env.f.getCanary('conv')).metadata.generation ?? 0;
    // The pass writes the three Services one after another: wait for each, not for the first.
    for (const name of ['conv', 'conv-primary', 'conv-canary']) {
      await waitFor(`Service ${name} on port 8080`, async () => {
        const svc = await env.f.core.readNamespacedService({ name, namespace: env.ns });
        return svc.spec?.ports?.[0]?.port === 8080;
      });
    }
    await waitFor('the route on port 8080', async () =>
      (await readRoute()).spec.rules[0]!.backendRefs.every((r) => r.port === 8080),
    );
    const status = await env.f.waitForStatus(
      'conv',
      'generation observed',
      (s) => s.observedGeneration === generation,
    );
    expect(status.phase).toBe('Initialized');
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });
});
