import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRouter } from '../../../operator/src/routers/factory.ts';
import type { ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { testKubeConfig, testNamespace } from '../support.ts';
import { installTraefikCRDs, ownerFor, touch, routeTargetFor } from './setup.ts';

// The Traefik router against Traefik's own CRDs (github.com/traefik/traefik/v3 v3.7.13).
describe('traefik router on the real API server with Traefik CRDs', () => {
  const kc = testKubeConfig();
  const client = kubeObjectClient(kc);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let owner: RouteTarget['owner'];
  const target = (apex: string, extra: Partial<RouteTarget> = {}) =>
    routeTargetFor(ns.name, owner, apex, extra);
  const ref = (name: string): ObjectRef => ({
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    namespace: ns.name,
    name,
  });
  const router = () => createRouter('traefik', client);
  const weighted = async (name: string) =>
    ((await client.get(ref(name)))?.['spec'] as { weighted: Record<string, unknown> }).weighted;

  beforeAll(async () => {
    ns = await testNamespace(kc, 'router-traefik');
    await installTraefikCRDs(inject('kubeconfig'));
    owner = await ownerFor(client, ns.name);
  });
  afterAll(async () => ns.remove());

  it('stores every step as built, keeps another writer’s sticky settings, and reverts', async () => {
    const t = target('podinfo');
    await router().ensureRoutes(t);
    for (const canary of [0, 5, 50, 0]) {
      await router().setWeights(t, { primary: 100 - canary, canary });
      expect((await weighted('podinfo'))['services']).toEqual([
        { name: 'podinfo-primary', namespace: ns.name, port: 9898, weight: 100 - canary },
        { name: 'podinfo-canary', namespace: ns.name, port: 9898, weight: canary },
      ]);
      expect(await router().getWeights(t)).toEqual({ primary: 100 - canary, canary, mirror: false });
    }
    const rv = (await client.get(ref('podinfo')))?.metadata.resourceVersion;
    await router().ensureRoutes(t);
    expect((await client.get(ref('podinfo')))?.metadata.resourceVersion).toBe(rv);

    await touch(client, ref('podinfo'), (obj) => {
      (obj['spec'] as { weighted: Record<string, unknown> }).weighted['sticky'] = { cookie: { name: 'lb' } };
    });
    await router().setWeights(t, { primary: 60, canary: 40 });
    expect((await weighted('podinfo'))['sticky']).toEqual({ cookie: { name: 'lb' } });
    await router().finalize?.(t);
    expect((await weighted('podinfo'))['services']).toEqual([
      { name: 'podinfo', namespace: ns.name, port: 9898, weight: 100 },
    ]);
  });
});
