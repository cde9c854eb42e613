import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRoutingError } from '../../../operator/src/routers/errors.ts';
import { createRouter } from '../../../operator/src/routers/factory.ts';
import type { KubeObject, ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

describe('kubernetes (blue/green) router on the real API server', () => {
  const kc = testKubeConfig();
  const client = kubeObjectClient(kc);
  const router = createRouter('kubernetes', client);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let t: RouteTarget;
  const ref = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace: ns.name, name });
  const service = (name: string, app: string, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns.name },
    spec: { selector: { app }, ports: [{ name: 'http', port: 9898, targetPort: 'http' }], ...extra },
  });
  const apexSpec = async () => (await client.get(ref('podinfo')))?.['spec'] as Record<string, unknown>;

  beforeAll(async () => {
    ns = await testNamespace(kc, 'router-k8s');
    await client.create(service('podinfo-primary', 'podinfo-primary'));
    await client.create(service('podinfo-canary', 'podinfo'));
    // trafficDistribution and the annotation belong to someone else: they must survive every switch.
    const apex = service('podinfo', 'podinfo-primary', { trafficDistribution: 'PreferClose' });
    apex.metadata.annotations = { 'example.com/owner': 'platform' };
    await client.create(apex);
    t = {
      namespace: ns.name,
      canaryName: 'podinfo',
      apexService: 'podinfo',
      primaryService: 'podinfo-primary',
      canaryService: 'podinfo-canary',
      port: 9898,
      owner: { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'podinfo', uid: 'unused' },
    };
  });
  afterAll(async () => ns.remove());

  it('switches the apex selector between primary and canary pods, writing only on a switch', async () => {
    const created = await client.get(ref('podinfo'));
    await router.ensureRoutes(t);
    await router.setWeights(t, { primary: 100, canary: 0 });
    expect((await client.get(ref('podinfo')))?.metadata.resourceVersion).toBe(
      created?.metadata.resourceVersion,
    );
    expect(await router.getWeights(t)).toEqual({ primary: 100, canary: 0, mirror: false });

    await router.setWeights(t, { primary: 0, canary: 100 });
    const switched = await client.get(ref('podinfo'));
    expect(switched?.['spec']).toMatchObject({
      selector: { app: 'podinfo' },
      trafficDistribution: 'PreferClose',
      ports: [{ name: 'http', port: 9898, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(switched?.metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
    expect(await router.getWeights(t)).toEqual({ primary: 0, canary: 100, mirror: false });

    await router.setWeights(t, { primary: 0, canary: 100 });
    await router.ensureRoutes(t);
    expect((await client.get(ref('podinfo')))?.metadata.resourceVersion).toBe(
      switched?.metadata.resourceVersion,
    );

    await router.setWeights(t, { primary: 100, canary: 0 });
    expect((await apexSpec())['selector']).toEqual({ app: 'podinfo-primary' });
  });

  it('refuses a split', async () => {
    const err = await router.setWeights(t, { primary: 90, canary: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRoutingError);
    expect((err as Error).message).toBe(
      `Service ${ns.name}/podinfo: blue/green routes all traffic to one side (100/0 or 0/100), got primary 90 canary 10`,
    );
  });

  it('finalize selects the target pods again', async () => {
    await router.finalize?.(t);
    expect(await apexSpec()).toMatchObject({
      selector: { app: 'podinfo' },
      trafficDistribution: 'PreferClose',
    });
  });
});
