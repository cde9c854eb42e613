import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import { createRouter } from '../../../operator/src/routers/factory.ts';
import type { KubeObject, ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { copiedKeysAnnotation } from '../../../operator/src/routers/nginx-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { waitFor } from '../../env/wait.ts';
import { testKubeConfig, testNamespace } from '../support.ts';
import { ownerFor, stored, touch } from './setup.ts';

const a = (suffix: string) => `nginx.ingress.kubernetes.io/canary${suffix}`;
const backend = (name: string) => ({ service: { name, port: { number: 9898 } } });
const copiedRecord = {
  [copiedKeysAnnotation]: JSON.stringify({
    annotations: ['nginx.ingress.kubernetes.io/proxy-body-size'],
    labels: ['app'],
  }),
};

describe('nginx router on the real API server', () => {
  const kc = testKubeConfig();
  const client = kubeObjectClient(kc);
  const router = createRouter('nginx', client);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let owner: RouteTarget['owner'];
  const ref = (name: string): ObjectRef => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    namespace: ns.name,
    name,
  });
  const target = (ingress: string, extra: Partial<RouteTarget> = {}): RouteTarget => ({
    namespace: ns.name,
    canaryName: 'podinfo',
    apexService: 'podinfo',
    primaryService: 'podinfo-primary',
    canaryService: 'podinfo-canary',
    port: 9898,
    owner,
    ingressRef: { name: ingress },
    ...extra,
  });
  const userIngress = (name: string): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: ns.name,
      labels: { app: 'podinfo' },
      annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' },
    },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'app.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: backend('podinfo') },
              { path: '/static', pathType: 'Prefix', backend: backend('assets') },
            ],
          },
        },
      ],
    },
  });

  beforeAll(async () => {
    ns = await testNamespace(kc, 'router-nginx');
    owner = await ownerFor(client, ns.name);
  });
  afterAll(async () => ns.remove());

  it('clones the Ingress to <ingress>-canary and steps the canary-weight annotation', async () => {
    const user = await client.create(userIngress('web'));
    const t = target('web');
    await router.ensureRoutes(t);
    for (const canary of [0, 10, 20, 50, 100, 0]) {
      await router.setWeights(t, { primary: 100 - canary, canary });
      const weight =
        canary === 0 ? { [a('')]: 'false' } : { [a('')]: 'true', [a('-weight')]: String(canary) };
      expect(stored(await client.get(ref('web-canary')))).toEqual({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          name: 'web-canary',
          namespace: ns.name,
          labels: { app: 'podinfo', 'app.kubernetes.io/managed-by': 'fledge' },
          annotations: {
            'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
            ...weight,
            ...GITOPS_OPT_OUT,
            ...copiedRecord,
          },
          ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              host: 'app.example.com',
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: backend('podinfo-canary') },
                  { path: '/static', pathType: 'Prefix', backend: backend('assets') },
                ],
              },
            },
          ],
        },
        status: { loadBalancer: {} },
      });
      expect(await router.getWeights(t)).toEqual({ primary: 100 - canary, canary, mirror: false });
    }
    // The user's Ingress is never written: it keeps pointing at the apex Service.
    expect((await client.get(ref('web')))?.metadata.resourceVersion).toBe(user.metadata.resourceVersion);
  });

  it('does not write equal weights again, and keeps annotations added by others', async () => {
    await client.create(userIngress('shop'));
    const t = target('shop');
    await router.setWeights(t, { primary: 80, canary: 20 });
    await touch(client, ref('shop-canary'), (obj) => {
      obj.metadata.annotations = { ...obj.metadata.annotations, 'example.com/audit': 'yes' };
    });
    const before = await client.get(ref('shop-canary'));
    await router.setWeights(t, { primary: 80, canary: 20 });
    await router.ensureRoutes(t);
    expect((await client.get(ref('shop-canary')))?.metadata.resourceVersion).toBe(
      before?.metadata.resourceVersion,
    );
    await router.setWeights(t, { primary: 60, canary: 40 });
    expect((await client.get(ref('shop-canary')))?.metadata.annotations).toEqual({
      ...GITOPS_OPT_OUT,
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      'example.com/audit': 'yes',
      [a('')]: 'true',
      [a('-weight')]: '40',
      ...copiedRecord,
    });
  });

  it('a key removed from the user Ingress leaves the clone on the next pass; keys of others stay', async () => {
    await client.create(userIngress('trim'));
    const t = target('trim');
    await router.ensureRoutes(t);
    await touch(client, ref('trim-canary'), (obj) => {
      obj.metadata.annotations = { ...obj.metadata.annotations, 'example.com/audit': 'yes' };
    });
    await touch(client, ref('trim'), (obj) => {
      obj.metadata.annotations = { 'example.com/new': 'x' };
      obj.metadata.labels = {};
    });
    await router.ensureRoutes(t);
    const clone = await client.get(ref('trim-canary'));
    expect(clone?.metadata.annotations).toEqual({
      ...GITOPS_OPT_OUT,
      'example.com/audit': 'yes',
      'example.com/new': 'x',
      [a('')]: 'false',
      [copiedKeysAnnotation]: JSON.stringify({ annotations: ['example.com/new'], labels: [] }),
    });
    expect(clone?.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'fledge' });
  });

  it('A/B: by header and by cookie, as Flagger maps them', async () => {
    await client.create(userIngress('ab'));
    const t = target('ab', {
      match: [
        { headers: { 'x-canary': { exact: 'insider' } } },
        { headers: { cookie: { exact: 'canary' } } },
      ],
    });
    await router.ensureRoutes(t);
    await router.setWeights(t, { primary: 0, canary: 100 });
    expect((await client.get(ref('ab-canary')))?.metadata.annotations).toEqual({
      ...GITOPS_OPT_OUT,
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      [a('')]: 'true',
      [a('-by-header')]: 'x-canary',
      [a('-by-header-value')]: 'insider',
      [a('-by-cookie')]: 'canary',
      ...copiedRecord,
    });
    expect(await router.getWeights(t)).toEqual({ primary: 0, canary: 100, mirror: false });
    await router.setWeights(t, { primary: 100, canary: 0 });
    expect((await client.get(ref('ab-canary')))?.metadata.annotations).toEqual({
      ...GITOPS_OPT_OUT,
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      [a('')]: 'false',
      ...copiedRecord,
    });
  });

  it('the clone is owned: deleting the owner garbage-collects it; finalize deletes it at once', async () => {
    await client.create(userIngress('gone'));
    const t = target('gone');
    await router.ensureRoutes(t);
    await router.finalize?.(t);
    expect(await client.get(ref('gone-canary'))).toBeUndefined();
    expect(await client.get(ref('gone'))).toBeDefined();

    const other = await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'short-lived', namespace: ns.name },
    });
    await router.ensureRoutes({
      ...t,
      owner: { apiVersion: 'v1', kind: 'ConfigMap', name: 'short-lived', uid: other.metadata.uid ?? '' },
    });
    expect((await client.get(ref('gone-canary')))?.metadata.ownerReferences?.[0]?.name).toBe('short-lived');
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns.name, name: 'short-lived' });
    await waitFor(
      'the garbage collector to delete gone-canary',
      async () => (await client.get(ref('gone-canary'))) === undefined,
      {
        timeoutMs: 45_000,
      },
    );
  });
});
