import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import { RouteConflictError } from '../../../operator/src/routers/errors.ts';
import { createRouter } from '../../../operator/src/routers/factory.ts';
import { routeRules } from '../../../operator/src/routers/gatewayapi-object.ts';
import { sessionCookies } from '../../../operator/src/routers/session-affinity.ts';
import type { KubeObject, ObjectClient, ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { testKubeConfig, testNamespace } from '../support.ts';
import { installHTTPRouteCRD, ownerFor, routeTargetFor, stored, touch } from './setup.ts';

const v1 = 'gateway.networking.k8s.io/v1';
const everyPath = { path: { type: 'PathPrefix', value: '/' } };
const backend = (name: string, weight: number) => ({ group: '', kind: 'Service', name, port: 9898, weight });

const managedBy = { 'app.kubernetes.io/managed-by': 'fledge' };

describe('gatewayapi router on the real API server', () => {
  const kc = testKubeConfig();
  const client = kubeObjectClient(kc);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let owner: RouteTarget['owner'];
  const target = (apex: string, extra: Partial<RouteTarget> = {}) =>
    routeTargetFor(ns.name, owner, apex, {
      gatewayRefs: [{ name: 'public', namespace: 'gateways' }],
      hosts: ['shop.example.com'],
      ...extra,
    });
  const ref = (name: string, apiVersion = v1): ObjectRef => ({
    apiVersion,
    kind: 'HTTPRoute',
    namespace: ns.name,
    name,
  });
  const ownerReferences = () => [{ ...owner, controller: true, blockOwnerDeletion: true }];

  beforeAll(async () => {
    ns = await testNamespace(kc, 'router-gw');
    await installHTTPRouteCRD(client);
    owner = await ownerFor(client, ns.name);
  });
  afterAll(async () => ns.remove());

  it('writes exactly the route Flagger would, at every step of a canary', async () => {
    const t = target('podinfo');
    const router = createRouter('gatewayapi', client);
    await router.ensureRoutes(t);
    for (const canary of [0, 10, 20, 50, 100, 0]) {
      await router.setWeights(t, { primary: 100 - canary, canary });
      expect(stored(await client.get(ref('podinfo')))).toEqual({
        apiVersion: v1,
        kind: 'HTTPRoute',
        metadata: {
          name: 'podinfo',
          namespace: ns.name,
          labels: managedBy,
          annotations: GITOPS_OPT_OUT,
          ownerReferences: ownerReferences(),
        },
        spec: {
          parentRefs: [
            { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways' },
          ],
          hostnames: ['shop.example.com'],
          rules: [
            {
              matches: [everyPath],
              backendRefs: [backend('podinfo-primary', 100 - canary), backend('podinfo-canary', canary)],
            },
          ],
        },
      });
      expect(await router.getWeights(t)).toEqual({ primary: 100 - canary, canary, mirror: false });
    }
  });

  it('does not write equal weights again (resourceVersion unchanged)', async () => {
    const t = target('steady');
    const router = createRouter('gatewayapi', client);
    await router.setWeights(t, { primary: 70, canary: 30 });
    const before = await client.get(ref('steady'));
    await router.setWeights(t, { primary: 70, canary: 30 });
    await router.ensureRoutes(t);
    const after = await client.get(ref('steady'));
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('keeps annotations and labels written by others (spec fields: the standard CRD has none fledge does not own; unit-tested)', async () => {
    const t = target('shared');
    const router = createRouter('gatewayapi', client);
    await router.ensureRoutes(t);
    await touch(client, ref('shared'), (obj) => {
      obj.metadata.annotations = { 'external-dns.alpha.kubernetes.io/ttl': '60' };
      obj.metadata.labels = { team: 'payments' };
    });
    await router.setWeights(t, { primary: 90, canary: 10 });
    const live = await client.get(ref('shared'));
    expect(live?.metadata.annotations).toEqual({
      'external-dns.alpha.kubernetes.io/ttl': '60',
      ...GITOPS_OPT_OUT,
    });
    expect(live?.metadata.labels).toEqual({ team: 'payments', ...managedBy });
    expect(await router.getWeights(t)).toEqual({ primary: 90, canary: 10, mirror: false });
  });

  it('A/B: matching requests to the canary, the rest to the primary', async () => {
    const t = target('abtest', {
      match: [
        { headers: { 'x-canary': { exact: 'insider' } } },
        { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } },
        { headers: { 'x-build': { prefix: 'v2.' } }, queryParams: { beta: { exact: '1' } } },
      ],
    });
    const router = createRouter('gatewayapi', client);
    await router.ensureRoutes(t);
    await router.setWeights(t, { primary: 0, canary: 100 });
    const live = await client.get(ref('abtest'));
    expect((live?.['spec'] as { rules: unknown }).rules).toEqual([
      {
        matches: [
          { ...everyPath, headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] },
          {
            ...everyPath,
            headers: [{ type: 'RegularExpression', name: 'cookie', value: '^(.*?;)?(canary=always)(;.*)?$' }],
          },
          {
            ...everyPath,
            headers: [{ type: 'RegularExpression', name: 'x-build', value: '^v2\\..*' }],
            queryParams: [{ type: 'Exact', name: 'beta', value: '1' }],
          },
        ],
        backendRefs: [backend('abtest-primary', 0), backend('abtest-canary', 100)],
      },
      { matches: [everyPath], backendRefs: [backend('abtest-primary', 100)] },
    ]);
    const rv = live?.metadata.resourceVersion;
    await router.setWeights(t, { primary: 0, canary: 100 });
    expect((await client.get(ref('abtest')))?.metadata.resourceVersion).toBe(rv);
  });

  it('blue/green mirroring adds a RequestMirror filter', async () => {
    const t = target('mirror');
    const router = createRouter('gatewayapi', client);
    await router.setWeights(t, { primary: 100, canary: 0, mirror: true });
    const live = await client.get(ref('mirror'));
    expect((live?.['spec'] as { rules: { filters: unknown }[] }).rules[0]?.filters).toEqual([
      {
        type: 'RequestMirror',
        requestMirror: { backendRef: { group: '', kind: 'Service', name: 'mirror-canary', port: 9898 } },
      },
    ]);
    expect(await router.getWeights(t)).toEqual({ primary: 100, canary: 0, mirror: true });
  });

  it('session affinity: the real CRD takes the cookie rules and filters, and stores them as written', async () => {
    const sa = sessionCookies(
      { cookieName: 'canary-session', primaryCookieName: 'primary-session', maxAgeSeconds: 600 },
      owner.uid,
      'rev-1',
    );
    const t = target('sticky', { sessionAffinity: sa });
    const router = createRouter('gatewayapi', client);
    await router.ensureRoutes(t);
    for (const canary of [20, 0]) {
      await router.setWeights(t, { primary: 100 - canary, canary });
      const live = await client.get(ref('sticky'));
      const rules = (live?.['spec'] as { rules: unknown[] }).rules;
      // Stored exactly as built: no defaulting the router would then see as drift.
      expect(rules).toEqual(routeRules(t, { primary: 100 - canary, canary }, 'HTTPRoute'));
      expect(rules).toHaveLength(3);
      expect(await router.getWeights(t)).toEqual({ primary: 100 - canary, canary, mirror: false });
      // Every pass converges the route: an unchanged one is not written again.
      await router.ensureRoutes(t);
      await router.setWeights(t, { primary: 100 - canary, canary });
      expect((await client.get(ref('sticky')))?.metadata.resourceVersion).toBe(
        live?.metadata.resourceVersion,
      );
    }
  });

  it('a mesh route (GAMMA, as Linkerd uses it): a Service parent is stored as written', async () => {
    const t = target('mesh', { gatewayRefs: [{ name: 'mesh', kind: 'Service', group: 'core', port: 9898 }] });
    const router = createRouter('gatewayapi', client);
    await router.setWeights(t, { primary: 90, canary: 10 });
    const live = await client.get(ref('mesh'));
    expect((live?.['spec'] as { parentRefs: unknown }).parentRefs).toEqual([
      { group: 'core', kind: 'Service', name: 'mesh', port: 9898 },
    ]);
    const rv = live?.metadata.resourceVersion;
    await router.ensureRoutes(t);
    await router.setWeights(t, { primary: 90, canary: 10 });
    expect((await client.get(ref('mesh')))?.metadata.resourceVersion).toBe(rv);
  });

  it('retries when the route changes between its read and its write, and keeps that change', async () => {
    const t = target('racy');
    await createRouter('gatewayapi', client).ensureRoutes(t);
    let raced = false;
    const racing: ObjectClient = {
      ...client,
      get: async (r) => {
        const live = await client.get(r);
        if (!raced && live) {
          raced = true;
          await touch(client, r, (obj) => (obj.metadata.annotations = { 'example.com/raced': 'yes' }));
        }
        return live;
      },
    };
    await createRouter('gatewayapi', racing).setWeights(t, { primary: 60, canary: 40 });
    const live = await client.get(ref('racy'));
    expect(raced).toBe(true);
    expect(live?.metadata.annotations).toEqual({ 'example.com/raced': 'yes', ...GITOPS_OPT_OUT });
    expect(await createRouter('gatewayapi', client).getWeights(t)).toEqual({
      primary: 60,
      canary: 40,
      mirror: false,
    });
  });

  it('surfaces a route that changes before every write as RouteConflictError', async () => {
    const t = target('contended');
    await createRouter('gatewayapi', client).ensureRoutes(t);
    let n = 0;
    const contended: ObjectClient = {
      ...client,
      get: async (r) => {
        const live = await client.get(r);
        await touch(client, r, (obj) => (obj.metadata.annotations = { 'example.com/n': String(++n) }));
        return live;
      },
    };
    const err = await createRouter('gatewayapi', contended)
      .setWeights(t, { primary: 60, canary: 40 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouteConflictError);
    expect((err as Error).message).toBe(
      `HTTPRoute ${ns.name}/contended: update failed: conflict on each of 5 attempts`,
    );
  });

  it('gatewayapi:v1beta1 writes through v1beta1; the stored route is the same', async () => {
    const t = target('beta');
    await createRouter('gatewayapi:v1beta1', client).setWeights(t, { primary: 80, canary: 20 });
    const viaBeta = await client.get(ref('beta', 'gateway.networking.k8s.io/v1beta1'));
    expect(viaBeta?.apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
    expect(await createRouter('gatewayapi', client).getWeights(t)).toEqual({
      primary: 80,
      canary: 20,
      mirror: false,
    });
  });

  it('finalize routes everything to the apex Service and drops the ownerReference', async () => {
    const t = target('leaving');
    const router = createRouter('gatewayapi', client);
    await router.setWeights(t, { primary: 50, canary: 50 });
    await router.finalize?.(t);
    const live: KubeObject | undefined = await client.get(ref('leaving'));
    expect(live?.metadata.ownerReferences).toBeUndefined();
    expect((live?.['spec'] as { rules: unknown }).rules).toEqual([
      { matches: [everyPath], backendRefs: [backend('leaving', 100)] },
    ]);
  });
});
