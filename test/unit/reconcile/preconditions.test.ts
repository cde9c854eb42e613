import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ResolvedCanary } from '../../../operator/src/api/index.ts';
import { blocker } from '../../../operator/src/reconcile/preconditions.ts';
import type { Router } from '../../../operator/src/routers/router.ts';
import type { ScaledObject } from '../../../operator/src/workloads/scaled-object.ts';

const deps = { router: () => ({ requiredKinds: [] }) as unknown as Router };
const ref = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' as const, name: 'web' };
// blocker reads the namespace, provider and autoscalerRef only.
const canary = (autoscalerRef: object) =>
  ({
    metadata: { namespace: 'shop', name: 'web' },
    spec: { provider: 'gatewayapi', autoscalerRef },
  }) as unknown as ResolvedCanary;
const target: V1Deployment = { metadata: { name: 'web' }, spec: { selector: {}, template: {} } };
const so: ScaledObject = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'web' },
  spec: { triggers: [{ type: 'prometheus', name: 'rps', metadata: { query: 'q' } }] },
};

describe('blocker: autoscalerRef to a ScaledObject', () => {
  it("names KEDA's CRD missing, the ScaledObject missing, and a query for a trigger it lacks", async () => {
    const obs = { kind: 'Deployment' as const, target };
    expect(await blocker(deps, canary(ref), { ...obs, autoscalerUnserved: true })).toEqual({
      reason: 'AutoscalerNotFound',
      message:
        "spec.autoscalerRef: keda.sh/v1alpha1 ScaledObject is not served by the API server (install KEDA's CRDs)",
    });
    expect((await blocker(deps, canary(ref), obs))?.message).toBe(
      'spec.autoscalerRef: ScaledObject shop/web not found',
    );
    const autoscaler = { kind: 'ScaledObject' as const, object: so };
    expect(
      (await blocker(deps, canary({ ...ref, primaryScalerQueries: { p99: 'x' } }), { ...obs, autoscaler }))
        ?.message,
    ).toBe(
      'spec.autoscalerRef.primaryScalerQueries: ScaledObject shop/web has no trigger named p99 (a trigger needs a name to be given a query)',
    );
    expect(
      await blocker(deps, canary({ ...ref, primaryScalerQueries: { rps: 'x' } }), { ...obs, autoscaler }),
    ).toBeUndefined();
  });
});
