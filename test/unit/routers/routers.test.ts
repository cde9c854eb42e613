import { beforeEach, describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import {
  InvalidRoutingError,
  RouteConflictError,
  RouteNotFoundError,
  RouterError,
} from '../../../operator/src/routers/errors.ts';
import { createRouter, UnknownProviderError } from '../../../operator/src/routers/factory.ts';
import { GatewayApiRouter } from '../../../operator/src/routers/gatewayapi.ts';
import type { HTTPRoute } from '../../../operator/src/routers/gatewayapi-object.ts';
import type { KubeObject, ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { KubernetesRouter } from '../../../operator/src/routers/kubernetes.ts';
import { NginxRouter } from '../../../operator/src/routers/nginx.ts';
import { NopRouter } from '../../../operator/src/routers/nop.ts';
import { MemoryClient } from './memory-client.ts';
import { target } from './target.ts';

const routeRef: ObjectRef = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  namespace: 'shop',
  name: 'checkout',
};

describe('gatewayapi router with an in-memory API', () => {
  let client: MemoryClient;
  let router: GatewayApiRouter;
  const t = target({ gatewayRefs: [{ name: 'public' }] });
  beforeEach(() => {
    client = new MemoryClient();
    router = new GatewayApiRouter(client);
  });

  it('creates once, then writes only when the weights change', async () => {
    await router.ensureRoutes(t);
    await router.ensureRoutes(t);
    expect(client.writes.map((w) => w.verb)).toEqual(['create']);
    expect(await router.getWeights(t)).toEqual({ primary: 100, canary: 0, mirror: false });

    await router.setWeights(t, { primary: 90, canary: 10 });
    await router.setWeights(t, { primary: 90, canary: 10 });
    await router.ensureRoutes(t); // keeps the live split
    expect(client.writes.map((w) => w.verb)).toEqual(['create', 'replace']);
    expect(await router.getWeights(t)).toEqual({ primary: 90, canary: 10, mirror: false });
  });

  it('recreates a deleted route at the requested weights', async () => {
    await router.setWeights(t, { primary: 60, canary: 40 });
    expect(client.writes).toEqual([{ verb: 'create', ref: routeRef }]);
    expect(await router.getWeights(t)).toEqual({ primary: 60, canary: 40, mirror: false });
  });

  it('re-reads and retries when the route changes between read and write, keeping the other write', async () => {
    await router.ensureRoutes(t);
    let interfered = false;
    client.afterGet = (ref) => {
      if (interfered) return;
      interfered = true;
      const live = client.peek(ref) as HTTPRoute;
      live.metadata.annotations = { 'example.com/touched': 'yes' };
      client.seed(live);
    };
    await router.setWeights(t, { primary: 80, canary: 20 });
    const stored = client.peek(routeRef) as HTTPRoute;
    expect(stored.metadata.annotations).toEqual({ 'example.com/touched': 'yes', ...GITOPS_OPT_OUT });
    expect(await router.getWeights(t)).toEqual({ primary: 80, canary: 20, mirror: false });
  });

  it('surfaces a route that never stops changing as RouteConflictError naming it', async () => {
    await router.ensureRoutes(t);
    client.afterGet = (ref) => {
      const live = client.peek(ref);
      if (live) client.seed(live);
    };
    const err = await router.setWeights(t, { primary: 80, canary: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouteConflictError);
    expect((err as Error).message).toBe(
      'HTTPRoute shop/checkout: update failed: conflict on each of 5 attempts',
    );
  });

  it('wraps API failures with the object name and the cause', async () => {
    const boom = new Error('etcd is on fire');
    client.create = () => Promise.reject(boom);
    const err = await router.ensureRoutes(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouterError);
    expect((err as Error).message).toBe('HTTPRoute shop/checkout: create failed');
    expect((err as Error).cause).toBe(boom);
  });

  it('refuses weights that are not percentages, before any API call', async () => {
    await expect(router.setWeights(t, { primary: 90, canary: 20 })).rejects.toThrow(InvalidRoutingError);
    expect(client.writes).toEqual([]);
  });

  it('getWeights on a missing route is RouteNotFoundError', async () => {
    await expect(router.getWeights(t)).rejects.toThrow(RouteNotFoundError);
  });

  it('finalize points the route at the apex Service once, and is a no-op without a route', async () => {
    await router.finalize(t);
    expect(client.writes).toEqual([]);
    await router.setWeights(t, { primary: 50, canary: 50 });
    await router.finalize(t);
    await router.finalize(t);
    expect(client.writes.map((w) => w.verb)).toEqual(['create', 'replace']);
    const stored = client.peek(routeRef) as HTTPRoute;
    expect(stored.spec?.rules?.[0]?.backendRefs?.map((b) => [b.name, b.weight])).toEqual([['checkout', 100]]);
  });

  it('speaks v1beta1 when created as gatewayapi:v1beta1', async () => {
    await createRouter('gatewayapi:v1beta1', client).ensureRoutes(t);
    expect(client.writes[0]?.ref.apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
  });
});

describe('nginx router with an in-memory API', () => {
  const t = target({ ingressRef: { name: 'web' } });
  const canaryRef: ObjectRef = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    namespace: 'shop',
    name: 'web-canary',
  };
  let client: MemoryClient;
  let router: NginxRouter;
  beforeEach(() => {
    client = new MemoryClient();
    router = new NginxRouter(client);
  });
  const seedSource = () =>
    client.seed({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        rules: [
          {
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'checkout', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });

  it('needs the user Ingress, and says which one is missing', async () => {
    const err = await router.ensureRoutes(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouteNotFoundError);
    expect((err as Error).message).toMatch(/^Ingress shop\/web: not found/);
  });

  it('writes the canary Ingress only when its annotations change; never the user Ingress', async () => {
    seedSource();
    await router.ensureRoutes(t);
    await router.ensureRoutes(t);
    await router.setWeights(t, { primary: 90, canary: 10 });
    await router.setWeights(t, { primary: 90, canary: 10 });
    expect(client.writes).toEqual([
      { verb: 'create', ref: canaryRef },
      { verb: 'replace', ref: canaryRef },
    ]);
    expect(await router.getWeights(t)).toEqual({ primary: 90, canary: 10, mirror: false });
    await router.finalize(t);
    expect(client.peek(canaryRef)).toBeUndefined();
  });
});

describe('kubernetes router with an in-memory API', () => {
  const t = target();
  const apexRef: ObjectRef = { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'checkout' };
  let client: MemoryClient;
  let router: KubernetesRouter;
  const service = (name: string, app: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { app }, ports: [{ port: 8080 }] },
  });
  const apexSelector = () => (client.peek(apexRef)?.['spec'] as { selector: unknown }).selector;
  beforeEach(() => {
    client = new MemoryClient();
    router = new KubernetesRouter(client);
    client.seed(service('checkout-primary', 'checkout-primary'));
    client.seed(service('checkout-canary', 'checkout'));
  });

  it('switches the apex selector, writing only on a switch', async () => {
    client.seed(service('checkout', 'checkout-primary'));
    await router.ensureRoutes(t);
    await router.setWeights(t, { primary: 100, canary: 0 });
    expect(client.writes).toEqual([]);
    await router.setWeights(t, { primary: 0, canary: 100 });
    await router.setWeights(t, { primary: 0, canary: 100 });
    await router.ensureRoutes(t); // must not undo the switch
    expect(client.writes).toEqual([{ verb: 'replace', ref: apexRef }]);
    expect(apexSelector()).toEqual({ app: 'checkout' });
    expect(await router.getWeights(t)).toEqual({ primary: 0, canary: 100, mirror: false });
  });

  it('ensureRoutes points an apex that selects neither side at the primary', async () => {
    client.seed(service('checkout', 'something-else'));
    await router.ensureRoutes(t);
    expect(apexSelector()).toEqual({ app: 'checkout-primary' });
  });

  it('refuses a split, naming the apex Service', async () => {
    client.seed(service('checkout', 'checkout-primary'));
    await expect(router.setWeights(t, { primary: 50, canary: 50 })).rejects.toThrow(
      'Service shop/checkout: blue/green routes all traffic to one side',
    );
  });

  it('needs the apex Service (it does not create it)', async () => {
    await expect(router.ensureRoutes(t)).rejects.toThrow('Service shop/checkout: not found');
  });

  it('finalize selects the target (canary) pods again', async () => {
    client.seed(service('checkout', 'checkout-primary'));
    await router.finalize(t);
    expect(apexSelector()).toEqual({ app: 'checkout' });
  });
});

describe('nop router and the factory', () => {
  it('remembers the weights it was given', async () => {
    const router = new NopRouter();
    const t = target();
    expect(await router.getWeights(t)).toEqual({ primary: 100, canary: 0, mirror: false });
    await router.setWeights(t, { primary: 30, canary: 70 });
    expect(await router.getWeights(t)).toEqual({ primary: 30, canary: 70, mirror: false });
    expect(await router.getWeights(target({ canaryName: 'other' }))).toEqual({
      primary: 100,
      canary: 0,
      mirror: false,
    });
  });

  it.each([
    ['gatewayapi', GatewayApiRouter],
    ['gatewayapi:v1', GatewayApiRouter],
    ['gatewayapi:v1beta1', GatewayApiRouter],
    ['nginx', NginxRouter],
    ['kubernetes', KubernetesRouter],
    ['nop', NopRouter],
  ])('%s -> %o', (provider, kind) => {
    expect(createRouter(provider, new MemoryClient())).toBeInstanceOf(kind);
  });

  it.each(['linkerd', 'none', '', 'gatewayapi:v2'])('refuses provider %j', (provider) => {
    expect(() => createRouter(provider, new MemoryClient())).toThrow(UnknownProviderError);
    expect(() => createRouter(provider, new MemoryClient())).toThrow(/fledge supports gatewayapi, /);
  });
});
