import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import {
  heldAnnotations,
  PAUSED_REPLICAS_ANNOTATION,
  primaryQuery,
  primaryScaledObject,
  unknownQueryKeys,
  type ScaledObject,
} from '../../../operator/src/workloads/scaled-object.ts';
import { WorkloadTarget } from '../../../operator/src/workloads/workload-target.ts';
import { MemoryClient } from '../routers/memory-client.ts';
import { emptyCache, offlineKubeConfig } from './offline.ts';

const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'web', uid: 'u1', controller: true };
const ref = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' as const, name: 'web-so' };
const query = 'sum(rate(http_requests_total{deployment="web"}[1m]))';
const target: ScaledObject = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: {
    name: 'web-so',
    namespace: 'shop',
    labels: { team: 'a', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
    annotations: { [PAUSED_REPLICAS_ANNOTATION]: '0', note: 'theirs' },
    resourceVersion: '9',
  },
  spec: {
    scaleTargetRef: { name: 'web' },
    pollingInterval: 15,
    minReplicaCount: 1,
    maxReplicaCount: 6,
    advanced: { horizontalPodAutoscalerConfig: { name: 'web-hpa', behavior: { scaleDown: {} } } },
    triggers: [
      {
        type: 'prometheus',
        name: 'rps',
        metadata: { serverAddress: 'http://prom:9090', query, threshold: '10' },
      },
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } },
    ],
  },
};

describe('primaryQuery', () => {
  it.each([
    ['deployment="web"', 'deployment="web-primary"'],
    ['deployment="web-canary"', 'deployment="web-primary"'],
    ['deployment="web-primary"', 'deployment="web-primary"'],
    ['pod=~"web-.*"', 'pod=~"web-primary-.*"'],
    ['deployment="web2",app="myweb",x="web.io"', 'deployment="web2",app="myweb",x="web.io"'],
    ['a="web",b="web-canary",c="web"', 'a="web-primary",b="web-primary",c="web-primary"'],
    ['deployment="web-canaryish"', 'deployment="web-canaryish"'],
    ['deployment=~"web|web-api"', 'deployment=~"web-primary|web-api"'],
    ['deployment="web-primaryx"', 'deployment="web-primaryx"'],
    ['deployment="web-canary-2"', 'deployment="web-canary-2"'],
  ])('%s -> %s', (q, want) => {
    expect(primaryQuery(q, 'web', 'web-primary')).toBe(want);
  });
});

describe('primaryScaledObject', () => {
  it("copies the target's spec onto the primary, rewriting queries and the custom HPA name", () => {
    const built = primaryScaledObject(undefined, target, ref, 'web', 'web-primary', owner)!;
    expect(built.metadata).toMatchObject({
      name: 'web-so-primary',
      namespace: 'shop',
      labels: { team: 'a', 'app.kubernetes.io/managed-by': 'fledge' },
      annotations: GITOPS_OPT_OUT,
    });
    // Neither the target's pause nor Flux's inventory labels are copied.
    expect(built.metadata.annotations?.[PAUSED_REPLICAS_ANNOTATION]).toBeUndefined();
    expect(built.metadata.labels?.['kustomize.toolkit.fluxcd.io/name']).toBeUndefined();
    expect(built.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Canary',
      uid: 'u1',
      controller: true,
    });
    expect(built['spec']).toEqual({
      scaleTargetRef: { name: 'web-primary' },
      pollingInterval: 15,
      minReplicaCount: 1,
      maxReplicaCount: 6,
      advanced: { horizontalPodAutoscalerConfig: { name: 'web-hpa-primary', behavior: { scaleDown: {} } } },
      triggers: [
        {
          type: 'prometheus',
          name: 'rps',
          metadata: {
            serverAddress: 'http://prom:9090',
            query: 'sum(rate(http_requests_total{deployment="web-primary"}[1m]))',
            threshold: '10',
          },
        },
        { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } },
      ],
    });
    // The target object is not modified by building the copy.
    expect(target.spec?.triggers?.[0]?.metadata?.['query']).toBe(query);
  });

  it('takes primaryScalerQueries by trigger name and primaryScalerReplicas as the bounds', () => {
    const built = primaryScaledObject(
      undefined,
      target,
      {
        ...ref,
        primaryScalerQueries: { rps: 'sum(up)' },
        primaryScalerReplicas: { minReplicas: 2, maxReplicas: 9 },
      },
      'web',
      'web-primary',
      owner,
    )!;
    const spec = built['spec'] as ScaledObject['spec'];
    expect(spec?.triggers?.[0]?.metadata?.['query']).toBe('sum(up)');
    expect(spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 9 });
  });

  it('keeps what other writers set on the copy and writes nothing once it is right', () => {
    const first = primaryScaledObject(undefined, target, ref, 'web', 'web-primary', owner)!;
    const live = {
      ...first,
      metadata: {
        ...first.metadata,
        resourceVersion: '3',
        labels: { ...first.metadata.labels, extra: 'x' },
        annotations: { ...first.metadata.annotations, [PAUSED_REPLICAS_ANNOTATION]: '0', kept: 'y' },
      },
      status: { hpaName: 'keda-hpa-web-so-primary' },
    };
    const fixed = primaryScaledObject(live, target, ref, 'web', 'web-primary', owner)!;
    // A pause on the copy would stop the primary's scaling: it is removed; the rest is kept.
    expect(fixed.metadata.annotations).toEqual({ ...GITOPS_OPT_OUT, kept: 'y' });
    expect(fixed.metadata.labels?.['extra']).toBe('x');
    expect(fixed['status']).toEqual({ hpaName: 'keda-hpa-web-so-primary' });
    expect(primaryScaledObject(fixed, target, ref, 'web', 'web-primary', owner)).toBeUndefined();
  });
});

describe('unknownQueryKeys', () => {
  it('names primaryScalerQueries entries no trigger of the ScaledObject has', () => {
    expect(unknownQueryKeys({ ...ref, primaryScalerQueries: { rps: 'a', latency: 'b' } }, target)).toEqual([
      'latency',
    ]);
    expect(unknownQueryKeys(ref, target)).toEqual([]);
  });
});

describe('heldAnnotations', () => {
  it('adds or removes only the paused-replicas annotation, and nothing when it already is so', () => {
    expect(heldAnnotations({ a: '1' }, true)).toEqual({ a: '1', [PAUSED_REPLICAS_ANNOTATION]: '0' });
    expect(heldAnnotations(undefined, true)).toEqual({ [PAUSED_REPLICAS_ANNOTATION]: '0' });
    expect(heldAnnotations({ [PAUSED_REPLICAS_ANNOTATION]: '0' }, true)).toBeUndefined();
    // Someone else's pause at 3 replicas is turned into fledge's pause at zero.
    expect(heldAnnotations({ [PAUSED_REPLICAS_ANNOTATION]: '3' }, true)).toEqual({
      [PAUSED_REPLICAS_ANNOTATION]: '0',
    });
    expect(heldAnnotations({ a: '1', [PAUSED_REPLICAS_ANNOTATION]: '0' }, false)).toEqual({ a: '1' });
    expect(heldAnnotations({ a: '1' }, false)).toBeUndefined();
  });
});

describe('WorkloadTarget: pausing the target ScaledObject', () => {
  it('decides on its own last pause, not on a watch copy that has not seen it', async () => {
    const objects = new MemoryClient();
    const so = objects.seed({ ...structuredClone(target), metadata: { name: 'web-so', namespace: 'shop' } });
    // A watch that lags: it keeps serving the copy from before fledge's pause.
    const stale = structuredClone(so);
    const cache = emptyCache({ scaledObject: () => stale });
    // Nothing here reaches a server: the workload clients are never called.
    const wt = new WorkloadTarget(offlineKubeConfig(), cache, objects);
    const observed = async () =>
      (await wt.observe('shop', { kind: 'Deployment', name: 'web' }, false, ref)).autoscaler;
    await wt.holdAutoscaler('shop', await observed(), true);
    expect((await objects.get({ ...ref, namespace: 'shop', name: 'web-so' }))?.metadata.annotations).toEqual({
      [PAUSED_REPLICAS_ANNOTATION]: '0',
    });
    // The next pass sees the pause it wrote, so the resume of a new release is not skipped.
    const seen = await observed();
    expect(seen?.object.metadata?.annotations?.[PAUSED_REPLICAS_ANNOTATION]).toBe('0');
    await wt.holdAutoscaler('shop', seen, false);
    expect(
      (await objects.get({ ...ref, namespace: 'shop', name: 'web-so' }))?.metadata.annotations?.[
        PAUSED_REPLICAS_ANNOTATION
      ],
    ).toBeUndefined();
  });
});
