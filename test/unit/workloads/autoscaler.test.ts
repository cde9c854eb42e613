import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import type { KubeObject } from '../../../operator/src/routers/kube-object.ts';
import { canaryStartReplicas, primaryAutoscaler } from '../../../operator/src/workloads/autoscaler.ts';

const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'web', uid: 'u1', controller: true };
const ref = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' as const, name: 'web' };
const target: V2HorizontalPodAutoscaler = {
  metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' }, resourceVersion: '7' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 5,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
    ],
  },
  status: { currentReplicas: 0, desiredReplicas: 0 },
};

describe('primaryAutoscaler', () => {
  it('builds the copy: the target HPA’s spec, scaling the primary, owned and labelled by fledge', () => {
    const built = primaryAutoscaler(undefined, target, ref, 'web-primary', owner)!;
    expect(built.metadata).toMatchObject({
      name: 'web-primary',
      namespace: 'shop',
      labels: { team: 'a', 'app.kubernetes.io/managed-by': 'fledge' },
      ownerReferences: [expect.objectContaining({ uid: 'u1', controller: true })],
    });
    expect(built.metadata.resourceVersion).toBeUndefined();
    expect(built['spec']).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-primary' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: target.spec!.metrics,
    });
    expect(built['status']).toBeUndefined();
  });

  it('writes nothing when the live copy is right, and only fledge’s fields when it is not', () => {
    const live = {
      ...primaryAutoscaler(undefined, target, ref, 'web-primary', owner)!,
      status: { currentReplicas: 3 },
    } as KubeObject;
    live.metadata = {
      ...live.metadata,
      resourceVersion: '9',
      annotations: { ...live.metadata.annotations, note: 'kept' },
    };
    expect(primaryAutoscaler(live, target, ref, 'web-primary', owner)).toBeUndefined();

    const edited = { ...target, spec: { ...target.spec!, maxReplicas: 9 } };
    const next = primaryAutoscaler(live, edited, ref, 'web-primary', owner)!;
    expect((next['spec'] as { maxReplicas: number }).maxReplicas).toBe(9);
    expect(next.metadata).toMatchObject({
      resourceVersion: '9',
      annotations: { note: 'kept', ...GITOPS_OPT_OUT },
    });
    expect(next['status']).toEqual({ currentReplicas: 3 });
  });

  it('takes primaryScalerReplicas over the target’s bounds', () => {
    const built = primaryAutoscaler(
      undefined,
      target,
      { ...ref, primaryScalerReplicas: { minReplicas: 4, maxReplicas: 8 } },
      'web-primary',
      owner,
    )!;
    expect(built['spec']).toMatchObject({ minReplicas: 4, maxReplicas: 8 });
  });
});

describe('canaryStartReplicas', () => {
  const hpa = (object: V2HorizontalPodAutoscaler) => ({ kind: 'HorizontalPodAutoscaler' as const, object });
  it('is the HPA minimum, at least one', () => {
    expect(canaryStartReplicas(hpa(target))).toBe(2);
    expect(canaryStartReplicas(hpa({ ...target, spec: { ...target.spec!, minReplicas: 0 } }))).toBe(1);
    expect(canaryStartReplicas(undefined)).toBe(1);
  });

  it("is a ScaledObject's minReplicaCount, at least one (KEDA's default minimum is 0)", () => {
    const so = (spec: Record<string, unknown>) => ({
      kind: 'ScaledObject' as const,
      object: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'web' }, spec },
    });
    expect(canaryStartReplicas(so({ minReplicaCount: 3 }))).toBe(3);
    expect(canaryStartReplicas(so({}))).toBe(1);
    expect(canaryStartReplicas(so({ minReplicaCount: 0 }))).toBe(1);
  });
});
