import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRouter } from '../../../operator/src/routers/factory.ts';
import { contourRoutes } from '../../../operator/src/routers/contour-object.ts';
import type { ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { testKubeConfig, testNamespace } from '../support.ts';
import { installContourCRDs, ownerFor, touch, routeTargetFor } from './setup.ts';

// The Contour router against Contour's own CRDs (github.com/projectcontour/contour v1.33.8).
describe('contour router on the real API server with Contour CRDs', () => {
  const kc = testKubeConfig();
  const client = kubeObjectClient(kc);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let owner: RouteTarget['owner'];
  const target = (apex: string, extra: Partial<RouteTarget> = {}) =>
    routeTargetFor(ns.name, owner, apex, extra);
  const ref = (name: string): ObjectRef => ({
    apiVersion: 'projectcontour.io/v1',
    kind: 'HTTPProxy',
    namespace: ns.name,
    name,
  });
  const router = () => createRouter('contour', client);
  const routes = async (name: string) =>
    ((await client.get(ref(name)))?.['spec'] as { routes: unknown }).routes;

  beforeAll(async () => {
    ns = await testNamespace(kc, 'router-contour');
    await installContourCRDs(inject('kubeconfig'));
    owner = await ownerFor(client, ns.name);
  });
  afterAll(async () => ns.remove());

  it('stores every step as built, and a steady canary is not written again', async () => {
    const t = target('podinfo');
    await router().ensureRoutes(t);
    for (const canary of [0, 10, 50, 100, 0]) {
      const w = { primary: 100 - canary, canary };
      await router().setWeights(t, w);
      expect(await routes('podinfo')).toEqual(contourRoutes(t, w, 'HTTPProxy'));
      expect(await router().getWeights(t)).toEqual({ ...w, mirror: false });
    }
    const rv = (await client.get(ref('podinfo')))?.metadata.resourceVersion;
    await router().ensureRoutes(t);
    await router().setWeights(t, { primary: 100, canary: 0 });
    expect((await client.get(ref('podinfo')))?.metadata.resourceVersion).toBe(rv);
  });

  it('A/B with mirroring passes Contour’s schema as built', async () => {
    const t = target('ab', {
      match: [{ headers: { 'x-canary': { prefix: 'ins' } } }, { queryParams: { beta: { exact: '1' } } }],
    });
    const w = { primary: 100, canary: 0, mirror: true };
    await router().setWeights(t, w);
    expect(await routes('ab')).toEqual(contourRoutes(t, w, 'HTTPProxy'));
    expect(await router().getWeights(t)).toEqual(w);
  });

  it('keeps a virtualhost another writer set, puts the split back, and reverts to the apex Service', async () => {
    const t = target('root');
    await router().setWeights(t, { primary: 80, canary: 20 });
    await touch(client, ref('root'), (obj) => {
      const spec = obj['spec'] as Record<string, unknown>;
      spec['virtualhost'] = { fqdn: 'shop.example.com' };
      spec['routes'] = [{ conditions: [{ prefix: '/' }], services: [{ name: 'elsewhere', port: 80 }] }];
    });
    await router().ensureRoutes(t);
    await router().setWeights(t, { primary: 80, canary: 20 });
    const live = await client.get(ref('root'));
    expect((live?.['spec'] as { virtualhost: unknown }).virtualhost).toEqual({ fqdn: 'shop.example.com' });
    expect(await router().getWeights(t)).toEqual({ primary: 80, canary: 20, mirror: false });
    await router().finalize?.(t);
    expect(await routes('root')).toEqual([
      { conditions: [{ prefix: '/' }], services: [{ name: 'root', port: 9898 }] },
    ]);
  });
});
