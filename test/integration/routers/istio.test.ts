import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RouteNotFoundError } from '../../../operator/src/routers/errors.ts';
import { createRouter } from '../../../operator/src/routers/factory.ts';
import { istioRoutes } from '../../../operator/src/routers/istio-object.ts';
import type { ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { testKubeConfig, testNamespace } from '../support.ts';
import { installIstioCRDs, ownerFor, stored, touch, routeTargetFor } from './setup.ts';

const v1 = 'networking.istio.io/v1';
const managedBy = { 'app.kubernetes.io/managed-by': 'fledge' };

// The Istio router against Istio's own CRDs (istio.io/api v1.32.0): what it writes is what the API
// server validates (Istio's CEL rules included) and stores unchanged, so a steady canary writes nothing.
describe('istio router on the real API server with Istio CRDs', () => {
  const kc = testKubeConfig();
  const client = kubeObjectClient(kc);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let owner: RouteTarget['owner'];
  const target = (apex: string, extra: Partial<RouteTarget> = {}) =>
    routeTargetFor(ns.name, owner, apex, extra);
  const ref = (kind: string, name: string): ObjectRef => ({ apiVersion: v1, kind, namespace: ns.name, name });
  const router = () => createRouter('istio', client);

  beforeAll(async () => {
    ns = await testNamespace(kc, 'router-istio');
    await installIstioCRDs(inject('kubeconfig'));
    owner = await ownerFor(client, ns.name);
  });
  afterAll(async () => ns.remove());

  it('writes the DestinationRules and the VirtualService Flagger would, at every step', async () => {
    const t = target('podinfo', {
      hosts: ['app.example.com'],
      istio: { gateways: ['istio-ingress/public'], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    await router().ensureRoutes(t);
    for (const name of ['podinfo-primary', 'podinfo-canary']) {
      const dr = stored(await client.get(ref('DestinationRule', name)));
      expect(dr?.['spec']).toEqual({ host: name, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
      expect(dr?.metadata.labels).toEqual(managedBy);
    }
    for (const canary of [0, 10, 50, 100, 0]) {
      await router().setWeights(t, { primary: 100 - canary, canary });
      const vs = stored(await client.get(ref('VirtualService', 'podinfo')));
      expect(vs?.['spec']).toEqual({
        hosts: ['app.example.com', 'podinfo'],
        gateways: ['istio-ingress/public'],
        http: [
          {
            route: [
              { destination: { host: 'podinfo-primary' }, weight: 100 - canary },
              { destination: { host: 'podinfo-canary' }, weight: canary },
            ],
          },
        ],
      });
      expect(vs?.metadata.ownerReferences).toEqual([
        { ...owner, controller: true, blockOwnerDeletion: true },
      ]);
      expect(await router().getWeights(t)).toEqual({ primary: 100 - canary, canary, mirror: false });
    }
  });

  it('A/B with mirroring is stored as built, and a steady canary is not written again', async () => {
    const t = target('ab', {
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }, { uri: { suffix: '.json' } }],
    });
    const w = { primary: 100, canary: 0, mirror: true };
    await router().ensureRoutes(t);
    await router().setWeights(t, w);
    const live = await client.get(ref('VirtualService', 'ab'));
    expect((live?.['spec'] as { http: unknown }).http).toEqual(istioRoutes(t, w, 'VirtualService'));
    expect(await router().getWeights(t)).toEqual(w);
    await router().ensureRoutes(t);
    await router().setWeights(t, w);
    expect((await client.get(ref('VirtualService', 'ab')))?.metadata.resourceVersion).toBe(
      live?.metadata.resourceVersion,
    );
  });

  it('keeps what another writer set, converges a hand edit, and reverts to the apex Service', async () => {
    const t = target('shared');
    await router().setWeights(t, { primary: 70, canary: 30 });
    await touch(client, ref('VirtualService', 'shared'), (obj) => {
      obj.metadata.annotations = { 'example.com/team': 'payments' };
      const spec = obj['spec'] as { exportTo?: string[]; http: { route: { weight: number }[] }[] };
      spec.exportTo = ['.'];
      spec.http = [{ route: [{ destination: { host: 'elsewhere' }, weight: 100 } as never] }];
    });
    // The next pass puts the split back, the other writer's annotation and exportTo stay.
    await router().ensureRoutes(t);
    await router().setWeights(t, { primary: 70, canary: 30 });
    const live = await client.get(ref('VirtualService', 'shared'));
    expect(live?.metadata.annotations?.['example.com/team']).toBe('payments');
    expect((live?.['spec'] as { exportTo: string[] }).exportTo).toEqual(['.']);
    expect(await router().getWeights(t)).toEqual({ primary: 70, canary: 30, mirror: false });

    await router().finalize?.(t);
    const reverted = await client.get(ref('VirtualService', 'shared'));
    expect((reverted?.['spec'] as { http: unknown }).http).toEqual([
      { route: [{ destination: { host: 'shared' }, weight: 100 }] },
    ]);
    expect(reverted?.metadata.ownerReferences).toBeUndefined();
  });

  it('a missing VirtualService is RouteNotFoundError naming it; setWeights recreates it', async () => {
    const t = target('gone');
    const err = await router()
      .getWeights(t)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouteNotFoundError);
    expect((err as Error).message).toBe(`VirtualService ${ns.name}/gone: not found`);
    await router().setWeights(t, { primary: 100, canary: 0 });
    expect(await router().getWeights(t)).toEqual({ primary: 100, canary: 0, mirror: false });
  });
});
