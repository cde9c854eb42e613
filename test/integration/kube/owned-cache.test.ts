import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../../../operator/src/api/group.ts';
import { MISS, OwnedCache } from '../../../operator/src/kube/owned-cache.ts';
import { cachedObjectClient } from '../../../operator/src/routers/cached-object-client.ts';
import { createRouter } from '../../../operator/src/routers/factory.ts';
import type { KubeObject, ObjectClient, ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { waitFor } from '../../env/wait.ts';
import { installFledgeCrds } from '../crds.ts';
import { fixtures } from '../operator/fixtures.ts';
import { installHTTPRouteCRD, touch } from '../routers/setup.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

/** The API client with every read counted: what the cache does not answer reaches it. */
function counting(inner: ObjectClient): ObjectClient & { reads: ObjectRef[] } {
  const reads: ObjectRef[] = [];
  return {
    reads,
    get: (ref) => (reads.push(ref), inner.get(ref)),
    create: (obj) => inner.create(obj),
    replace: (obj) => inner.replace(obj),
    delete: (ref) => inner.delete(ref),
  };
}

// Services and routes fledge owns are read from label-selected informers, with fledge's own writes
// layered over them: a steady pass costs no read, a change by someone else queues the owner, a
// write that lost a race reads the API server again, and what the cache does not hold is read there.
describe('owned-object cache on the real API server', () => {
  const kc = testKubeConfig();
  const api = kubeObjectClient(kc);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let cache: OwnedCache;
  const changed: string[] = [];
  let owner: RouteTarget['owner'];
  const route = (name: string): ObjectRef => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    namespace: ns.name,
    name,
  });

  beforeAll(async () => {
    await installFledgeCrds(kc);
    await installHTTPRouteCRD(api);
    ns = await testNamespace(kc, 'owned');
    const canary = (await fixtures(kc, ns.name).createCanary('web', {
      provider: 'gatewayapi',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
      analysis: { interval: '10s', threshold: 1, iterations: 1, metrics: [] },
    })) as { metadata: { name: string; uid: string } };
    owner = { apiVersion: API_VERSION, kind: 'Canary', name: 'web', uid: canary.metadata.uid };
    cache = new OwnedCache({
      kubeConfig: kc,
      client: api,
      namespace: ns.name,
      log: pino({ level: 'silent' }),
      onOwnerChange: (namespace, name) => changed.push(`${namespace}/${name}`),
    });
  });
  afterAll(async () => {
    await cache?.stop();
    await ns?.remove();
  });

  const target = (): RouteTarget => ({
    namespace: ns.name,
    canaryName: 'web',
    apexService: 'web',
    primaryService: 'web-primary',
    canaryService: 'web-canary',
    port: 80,
    owner,
    gatewayRefs: [{ name: 'gw' }],
  });

  it('serves a steady route from the cache: converging it again reads nothing from the API server', async () => {
    const reads = counting(api);
    const router = createRouter('gatewayapi', cachedObjectClient(reads, cache));
    await router.ensureRoutes(target());
    await waitFor('the route in the cache', () => cache.lookup(route('web')) !== MISS);
    // Cached without managedFields (nothing reads them; they are much of a small object's size).
    await touch(api, route('web'), (obj) => {
      obj.metadata.annotations = { 'example.com/poke': '1' };
    });
    await waitFor('the poke in the cache', () => {
      const hit = cache.lookup(route('web'));
      return hit !== MISS && hit?.metadata.annotations?.['example.com/poke'] === '1' ? hit : undefined;
    }).then((hit) => expect(hit.metadata['managedFields']).toBeUndefined());
    reads.reads.length = 0;
    for (let i = 0; i < 5; i++) {
      await router.ensureRoutes(target());
      await router.setWeights(target(), { primary: 100, canary: 0 });
    }
    expect(reads.reads).toEqual([]);
    // Our own write right after: read back from the write-through, not the lagging cache.
    await router.setWeights(target(), { primary: 80, canary: 20 });
    expect(await router.getWeights(target())).toEqual({ primary: 80, canary: 20, mirror: false });
    expect(reads.reads).toEqual([]);
  });

  it('queues the owning Canary when someone else edits the route, and the next pass restores it', async () => {
    const router = createRouter('gatewayapi', cachedObjectClient(api, cache));
    changed.length = 0;
    await touch(api, route('web'), (obj) => {
      const rules = (obj as KubeObject & { spec: { rules: { backendRefs: { weight: number }[] }[] } }).spec
        .rules;
      for (const ref of rules[0]!.backendRefs) ref.weight = 50;
    });
    await waitFor('the owner queued', () => changed.includes(`${ns.name}/web`));
    await waitFor('the cache to hold the edit', async () => {
      const hit = cache.lookup(route('web'));
      return hit !== MISS && JSON.stringify(hit).includes('"weight":50');
    });
    await router.setWeights(target(), { primary: 80, canary: 20 });
    expect(await router.getWeights(target())).toEqual({ primary: 80, canary: 20, mirror: false });
    const live = await api.get(route('web'));
    expect(JSON.stringify(live)).not.toContain('"weight":50');
  });

  it('a write that lost a race to a stale cache reads the API server again and lands', async () => {
    const reads = counting(api);
    const router = createRouter('gatewayapi', cachedObjectClient(reads, cache));
    // Two writes by someone else in a row; the informer may still hold the first when we write.
    for (const tag of ['a', 'b']) {
      await touch(api, route('web'), (obj) => {
        obj.metadata.annotations = { ...obj.metadata.annotations, 'example.com/tag': tag };
      });
    }
    await router.setWeights(target(), { primary: 60, canary: 40 });
    const live = await api.get(route('web'));
    expect(live?.metadata.annotations?.['example.com/tag']).toBe('b');
    expect(JSON.stringify(live)).toContain('"weight":40');
  });

  it('sees a deletion by someone else at once, even right after a write of its own', async () => {
    const router = createRouter('gatewayapi', cachedObjectClient(api, cache));
    // Our write is held over the cache (the write-through); a deletion must not hide behind it.
    await router.setWeights(target(), { primary: 90, canary: 10 });
    changed.length = 0;
    await api.delete(route('web'));
    await waitFor('the owner queued', () => changed.includes(`${ns.name}/web`));
    await waitFor('the deleted route gone from the cache', () => cache.lookup(route('web')) === MISS, {
      timeoutMs: 5_000,
    });
    // The next pass, reading through the cache, finds it missing and creates it again.
    await router.ensureRoutes(target());
    expect(await api.get(route('web'))).toBeDefined();
  });

  it('creates a new owned object without a read, and an unlabelled one that exists is read through the conflict', async () => {
    const reads = counting(api);
    const router = createRouter('gatewayapi', cachedObjectClient(reads, cache));
    const named = (app: string): RouteTarget => ({
      ...target(),
      canaryName: app,
      apexService: app,
      primaryService: `${app}-primary`,
      canaryService: `${app}-canary`,
    });
    await router.ensureRoutes(named('fresh'));
    expect(reads.reads).toEqual([]);
    expect(JSON.stringify(await api.get(route('fresh')))).toContain('fresh-primary');
    // Someone else's route of that name, without fledge's label: the create conflicts, then it is read and taken over.
    await api.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'taken', namespace: ns.name, annotations: { 'example.com/theirs': 'kept' } },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'elsewhere', port: 80 }] }] },
    });
    await router.ensureRoutes(named('taken'));
    expect(reads.reads.map((r) => r.name)).toEqual(['taken']);
    const live = await api.get(route('taken'));
    expect(JSON.stringify(live)).toContain('taken-primary');
    expect(live?.metadata.annotations?.['example.com/theirs']).toBe('kept');
  });

  it('reads the API server for an object without the label (absent from the cache proves nothing)', async () => {
    await api.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'adopted', namespace: ns.name },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'elsewhere', port: 80 }] }] },
    });
    const reads = counting(api);
    const client = cachedObjectClient(reads, cache);
    expect((await client.get(route('adopted')))?.metadata.name).toBe('adopted');
    expect(reads.reads.map((r) => r.name)).toEqual(['adopted']);
    // Read again: still the API server, never a copy remembered from the first read.
    await client.get(route('adopted'));
    expect(reads.reads.map((r) => r.name)).toEqual(['adopted', 'adopted']);
    expect(cache.lookup(route('adopted'))).toBe(MISS);
  });
});
