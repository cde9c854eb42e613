import {
  AutoscalingV2Api,
  PatchStrategy,
  setHeaderOptions,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { initialized } from './fixtures.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function hpa(name: string, min: number, max: number): V2HorizontalPodAutoscaler {
  return {
    metadata: { name, labels: { team: 'shop' } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
    },
  };
}

const autoscalerRef = (name: string, primaryScalerReplicas?: { minReplicas: number }) => ({
  autoscalerRef: {
    apiVersion: 'autoscaling/v2beta2',
    kind: 'HorizontalPodAutoscaler',
    name,
    ...(primaryScalerReplicas ? { primaryScalerReplicas } : {}),
  },
});

// Flagger's autoscalerRef on the real control plane (its HPA controller runs in the
// kube-controller-manager): a `<hpa>-primary` copy scales the primary, kept in step with the target's
// HPA, while the target's own HPA scales the canary during analysis.
describe('operator: autoscalerRef (HorizontalPodAutoscaler)', () => {
  let env: OperatorEnv;
  let hpas: AutoscalingV2Api;
  beforeAll(async () => {
    env = await operatorEnv('hpa');
    hpas = env.kc.makeApiClient(AutoscalingV2Api);
    await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  const read = (name: string) => hpas.readNamespacedHorizontalPodAutoscaler({ name, namespace: env.ns });

  it('copies the HPA to the primary, keeps it in step, and promotes a release', async () => {
    const { f } = env;
    await hpas.createNamespacedHorizontalPodAutoscaler({ namespace: env.ns, body: hpa('web', 2, 5) });
    // The primary's minimum differs from the target's (Flagger's primaryScalerReplicas), so which
    // HPA decided each count shows.
    await env.release('web', env.canarySpec('web', {}, autoscalerRef('web', { minReplicas: 3 })));

    const primary = await waitFor('web-primary HPA', () => read('web-primary').catch(() => undefined));
    const target = await read('web');
    expect(primary.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web-primary',
    });
    expect(primary.spec).toMatchObject({ minReplicas: 3, maxReplicas: 5 });
    expect(primary.spec?.metrics).toEqual(target.spec?.metrics);
    expect(primary.spec?.behavior).toEqual(target.spec?.behavior);
    expect(primary.metadata?.labels).toMatchObject({
      team: 'shop',
      'app.kubernetes.io/managed-by': 'fledge',
    });
    expect(primary.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Canary',
      name: 'web',
      controller: true,
    });
    // The primary HPA (min 3) scales the primary; the target waits at zero for the next revision.
    await waitFor(
      'the primary at the HPA minimum',
      async () => (await f.readDeployment('web-primary')).spec?.replicas === 3,
    );
    expect((await f.readDeployment('web')).spec?.replicas).toBe(0);

    // An edit to the target's HPA reaches the primary's copy, without a release.
    await hpas.patchNamespacedHorizontalPodAutoscaler(
      { name: 'web', namespace: env.ns, body: { spec: { maxReplicas: 7 } } },
      merge,
    );
    await waitFor(
      'the primary HPA following maxReplicas 7',
      async () => (await read('web-primary')).spec?.maxReplicas === 7,
    );
    // A hand edit of the copy is put right too; once equal, passes stop writing it.
    await hpas.patchNamespacedHorizontalPodAutoscaler(
      { name: 'web-primary', namespace: env.ns, body: { spec: { minReplicas: 1 } } },
      merge,
    );
    await waitFor(
      'the primary HPA back at minReplicas 3',
      async () => (await read('web-primary')).spec?.minReplicas === 3,
    );
    const settled = (await read('web-primary')).metadata?.generation;

    // A release: the canary starts at its own HPA's minimum (2, not the primary's 3) and is left to
    // that HPA; promotion leaves the primary's replicas to the primary HPA.
    await f.setImage('web', 'example/web:2');
    await f.waitForStatus(
      'web',
      'Progressing',
      (s) => s.phase === 'Progressing' && (s.canaryWeight ?? 0) > 0,
    );
    expect((await f.readDeployment('web')).spec?.replicas).toBe(2);
    const done = await f.waitForStatus('web', 'Succeeded', (s) => s.phase === 'Succeeded');
    expect(done.lastPromotedSpec).toBeDefined();
    const promoted = await f.readDeployment('web-primary');
    expect(promoted.spec?.template.spec?.containers[0]?.image).toBe('example/web:2');
    expect(promoted.spec?.replicas).toBe(3);
    await waitFor(
      'the canary back at zero',
      async () => (await f.readDeployment('web')).spec?.replicas === 0,
    );
    const after = await read('web-primary');
    expect(after.spec).toMatchObject({ minReplicas: 3, maxReplicas: 7 });
    // Passes through a whole release left the converged copy's spec alone (generation counts spec writes).
    expect(after.metadata?.generation).toBe(settled);
  });

  it('stalls on a missing HPA with a condition naming the field, applying nothing until it exists', async () => {
    const { f } = env;
    await f.createDeployment(f.deployment('lone', 'example/lone:1'));
    await f.createCanary('lone', env.canarySpec('lone', {}, autoscalerRef('lone')));
    const stalled = await f.waitForStatus('lone', 'Stalled', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
    );
    expect(stalled.message).toBe(`spec.autoscalerRef: HorizontalPodAutoscaler ${env.ns}/lone not found`);
    expect(stalled.conditions?.find((c) => c.type === 'Stalled')?.reason).toBe('AutoscalerNotFound');
    await expect(f.readDeployment('lone-primary')).rejects.toThrow();

    // Creating the HPA is enough: its watch event queues the Canary, which initializes.
    await hpas.createNamespacedHorizontalPodAutoscaler({ namespace: env.ns, body: hpa('lone', 1, 3) });
    await f.waitForStatus('lone', 'Initialized', initialized);
    expect((await read('lone-primary')).spec?.scaleTargetRef.name).toBe('lone-primary');
  });
});
