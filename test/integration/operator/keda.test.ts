import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { installKedaCRDs } from '../routers/setup.ts';
import { initialized } from './fixtures.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PAUSED = 'autoscaling.keda.sh/paused-replicas';

interface ScaledObject {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
    generation?: number;
  };
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: { type: string; name?: string; metadata: Record<string, string> }[];
  };
}

const scaledObject = (name: string, target: string) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name, labels: { team: 'shop' } },
  spec: {
    scaleTargetRef: { name: target },
    minReplicaCount: 2,
    maxReplicaCount: 5,
    triggers: [
      {
        type: 'prometheus',
        name: 'rps',
        metadata: {
          serverAddress: 'http://prometheus.monitoring:9090',
          query: `sum(rate(http_requests_total{deployment="${target}"}[1m]))`,
          threshold: '10',
        },
      },
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } },
    ],
  },
});

const autoscalerRef = (name: string, extra: Record<string, unknown> = {}) => ({
  autoscalerRef: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name, ...extra },
});

// Flagger's autoscalerRef to a KEDA ScaledObject on the real API server with KEDA's own CRD (no
// KEDA controller runs: what is shown is what fledge writes, and the replicas fledge sets itself).
describe('operator: autoscalerRef (KEDA ScaledObject)', () => {
  let env: OperatorEnv;
  let custom: CustomObjectsApi;
  const so = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' };
  beforeAll(async () => {
    env = await operatorEnv('keda');
    await installKedaCRDs(inject('kubeconfig'));
    custom = env.kc.makeApiClient(CustomObjectsApi);
    await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  const read = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...so, namespace: env.ns, name })) as ScaledObject;
  const create = (body: object) => custom.createNamespacedCustomObject({ ...so, namespace: env.ns, body });
  const patch = (name: string, body: object) =>
    custom.patchNamespacedCustomObject({ ...so, namespace: env.ns, name, body }, merge);

  it('copies the ScaledObject to the primary, pauses the target at zero between releases, and promotes a release', async () => {
    const { f } = env;
    await create(scaledObject('kweb-so', 'kweb'));
    await env.release(
      'kweb',
      env.canarySpec('kweb', {}, autoscalerRef('kweb-so', { primaryScalerReplicas: { minReplicas: 3 } })),
    );

    const primary = await waitFor('kweb-so-primary', () => read('kweb-so-primary').catch(() => undefined));
    expect(primary.spec.scaleTargetRef.name).toBe('kweb-primary');
    expect(primary.spec).toMatchObject({ minReplicaCount: 3, maxReplicaCount: 5 });
    // The trigger's query follows the primary; the cpu trigger is copied as is.
    expect(primary.spec.triggers[0]?.metadata['query']).toBe(
      'sum(rate(http_requests_total{deployment="kweb-primary"}[1m]))',
    );
    expect(primary.spec.triggers[1]).toEqual({
      type: 'cpu',
      metricType: 'Utilization',
      metadata: { value: '60' },
    });
    expect(primary.metadata.labels).toMatchObject({ team: 'shop', 'app.kubernetes.io/managed-by': 'fledge' });
    expect(primary.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Canary', name: 'kweb' });
    expect(primary.metadata.annotations?.[PAUSED]).toBeUndefined();
    // At rest KEDA holds the canary at zero too, so its triggers cannot start it.
    expect((await read('kweb-so')).metadata.annotations?.[PAUSED]).toBe('0');
    expect((await f.readDeployment('kweb')).spec?.replicas).toBe(0);

    // An edit to the target's ScaledObject reaches the copy without a release (its watch queues a pass).
    await patch('kweb-so', { spec: { maxReplicaCount: 7 } });
    await waitFor(
      'the primary copy following maxReplicaCount 7',
      async () => (await read('kweb-so-primary')).spec.maxReplicaCount === 7,
    );
    const settled = (await read('kweb-so-primary')).metadata.generation;

    // A release resumes the target's ScaledObject and starts the canary at its minimum (2); after
    // promotion the canary is back at zero and paused again.
    await f.setImage('kweb', 'example/kweb:2');
    await f.waitForStatus(
      'kweb',
      'Progressing',
      (s) => s.phase === 'Progressing' && (s.canaryWeight ?? 0) > 0,
    );
    expect((await read('kweb-so')).metadata.annotations?.[PAUSED]).toBeUndefined();
    expect((await f.readDeployment('kweb')).spec?.replicas).toBe(2);
    await f.waitForStatus('kweb', 'Succeeded', (s) => s.phase === 'Succeeded');
    expect((await f.readDeployment('kweb-primary')).spec?.template.spec?.containers[0]?.image).toBe(
      'example/kweb:2',
    );
    await waitFor(
      'the canary back at zero',
      async () => (await f.readDeployment('kweb')).spec?.replicas === 0,
    );
    expect((await read('kweb-so')).metadata.annotations?.[PAUSED]).toBe('0');
    // Passes through a whole release left the converged copy's spec alone.
    expect((await read('kweb-so-primary')).metadata.generation).toBe(settled);
  });

  it('stalls on a missing ScaledObject or a query for a trigger it lacks, naming the field, applying nothing', async () => {
    const { f } = env;
    await f.createDeployment(f.deployment('klone', 'example/klone:1'));
    await f.createCanary(
      'klone',
      env.canarySpec(
        'klone',
        {},
        autoscalerRef('klone-so', { primaryScalerQueries: { latency: 'sum(up)' } }),
      ),
    );
    const stalled = (message: string) =>
      f.waitForStatus('klone', message, (s) =>
        (s.conditions ?? []).some(
          (c) => c.type === 'Stalled' && c.status === 'True' && s.message === message,
        ),
      );
    const missing = await stalled(`spec.autoscalerRef: ScaledObject ${env.ns}/klone-so not found`);
    expect(missing.conditions?.find((c) => c.type === 'Stalled')?.reason).toBe('AutoscalerNotFound');
    await expect(f.readDeployment('klone-primary')).rejects.toThrow();

    // Created, its watch queues the Canary; the query for a trigger it lacks is refused by name.
    await create(scaledObject('klone-so', 'klone'));
    await stalled(
      `spec.autoscalerRef.primaryScalerQueries: ScaledObject ${env.ns}/klone-so has no trigger named latency (a trigger needs a name to be given a query)`,
    );
    await expect(f.readDeployment('klone-primary')).rejects.toThrow();

    await f.patchCanarySpec('klone', {
      autoscalerRef: { primaryScalerQueries: { latency: null, rps: 'sum(up)' } },
    });
    await f.waitForStatus('klone', 'Initialized', initialized);
    expect((await read('klone-so-primary')).spec.triggers[0]?.metadata['query']).toBe('sum(up)');
  });
});
