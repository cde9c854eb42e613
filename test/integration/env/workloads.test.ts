import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { statusCode, testKubeConfig, testNamespace } from '../support.ts';

// kwok's fake nodes must make Deployments behave as on a real cluster: scheduled, Ready, rolled
// out, garbage-collected. Later operator tests rely on each of these.
function deployment(name: string, image: string): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
}

describe('Deployments on kwok nodes', () => {
  const kc = testKubeConfig();
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  beforeAll(async () => {
    ns = await testNamespace(kc, 'workloads');
  });
  afterAll(async () => ns?.remove());

  const rolledOut = (name: string, generation: number) =>
    waitFor(`deployment ${name} generation ${generation} rolled out`, async () => {
      const d = await apps.readNamespacedDeployment({ name, namespace: ns.name });
      const s = d.status;
      return (
        (s?.observedGeneration ?? 0) >= generation &&
        s?.updatedReplicas === 3 &&
        s?.readyReplicas === 3 &&
        s?.replicas === 3 &&
        d
      );
    });

  it('reaches readyReplicas=3 and completes a rolling update', async () => {
    await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('web', 'example/web:1') });
    await rolledOut('web', 1);
    const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(3);
    expect(pods.items.every((p) => p.status?.phase === 'Running')).toBe(true);

    const live = await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name });
    live.spec!.template.spec!.containers[0]!.image = 'example/web:2';
    await apps.replaceNamespacedDeployment({ name: 'web', namespace: ns.name, body: live });
    const updated = await rolledOut('web', 2);
    expect(updated.metadata?.generation).toBe(2);
    const after = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=web' });
    const running = after.items.filter((p) => !p.metadata?.deletionTimestamp);
    await waitFor('only new pods remain', async () => {
      const list = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=web' });
      return (
        list.items.length === 3 && list.items.every((p) => p.spec?.containers[0]?.image === 'example/web:2')
      );
    });
    expect(running.length).toBeGreaterThanOrEqual(3);
  });

  it('garbage-collects ReplicaSets and pods through owner references', async () => {
    await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('gc', 'example/gc:1') });
    await rolledOut('gc', 1);
    const rs = await apps.listNamespacedReplicaSet({ namespace: ns.name, labelSelector: 'app=gc' });
    expect(rs.items).toHaveLength(1);
    await apps.deleteNamespacedDeployment({
      name: 'gc',
      namespace: ns.name,
      propagationPolicy: 'Background',
    });
    await waitFor('ReplicaSets and pods of gc to be collected', async () => {
      const [sets, pods] = await Promise.all([
        apps.listNamespacedReplicaSet({ namespace: ns.name, labelSelector: 'app=gc' }),
        core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=gc' }),
      ]);
      return sets.items.length === 0 && pods.items.length === 0;
    });
  });

  it('finishes deleting a namespace that holds pods', async () => {
    const doomed = await testNamespace(kc, 'doomed');
    await apps.createNamespacedDeployment({
      namespace: doomed.name,
      body: deployment('web', 'example/web:1'),
    });
    await waitFor('pods in the doomed namespace', async () => {
      const pods = await core.listNamespacedPod({ namespace: doomed.name });
      return pods.items.length === 3;
    });
    await doomed.remove();
    await waitFor(
      `namespace ${doomed.name} to be gone`,
      async () => {
        try {
          await core.readNamespace({ name: doomed.name });
          return false;
        } catch (err) {
          return statusCode(err) === 404;
        }
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );
  });
});
