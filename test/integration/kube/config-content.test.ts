import { CoreV1Api, type KubernetesObject, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../../../operator/src/controller.ts';
import { ContentOnDemand } from '../../../operator/src/kube/content-on-demand.ts';
import { SupervisedInformer } from '../../../operator/src/kube/informer.ts';
import { metadataOnly } from '../../../operator/src/kube/metadata-only.ts';
import { createMetrics } from '../../../operator/src/runtime/metrics.ts';
import { waitFor } from '../../env/wait.ts';
import { installFledgeCrds } from '../crds.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

// ConfigMaps and Secrets are watched as metadata only on the real API server: the cache holds
// no contents, and a content is read once per change of the object and only when asked for.
describe('ConfigMaps and Secrets: metadata watched, contents on demand', () => {
  const kc = testKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const log = pino({ level: process.env['DEBUG_LOG'] ? 'debug' : 'silent' });
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let informer: SupervisedInformer<KubernetesObject>;
  let controller: Controller;
  const big = 'x'.repeat(200_000);
  beforeAll(async () => {
    await installFledgeCrds(kc);
    ns = await testNamespace(kc, 'contents');
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'unreferenced' }, data: { blob: big } },
    });
    await core.createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: 'creds' }, stringData: { password: 'one' } },
    });
    const meta = metadataOnly(kc);
    const metaCore = meta.makeApiClient(CoreV1Api);
    informer = new SupervisedInformer<KubernetesObject>({
      name: 'configmaps',
      kubeConfig: meta,
      path: `/api/v1/namespaces/${ns.name}/configmaps`,
      list: () => metaCore.listNamespacedConfigMap({ namespace: ns.name }),
      onChange: () => {},
      log,
    });
    await informer.start();
    controller = new Controller(kc, {
      namespace: ns.name,
      log,
      metrics: createMetrics(),
      concurrency: 1,
      resyncMs: 60_000,
    });
    await controller.startInformers();
  });
  afterAll(async () => {
    await informer?.stop();
    await controller?.stop();
    await ns?.remove();
  });

  it('lists and watches metadata without the data', async () => {
    expect(informer.healthy()).toBe(true);
    const listed = informer.get('unreferenced', ns.name);
    expect(listed?.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(listed).not.toHaveProperty('data');
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'watched' }, data: { blob: big } },
    });
    const watched = await waitFor('the watch to deliver the new ConfigMap', async () =>
      informer.get('watched', ns.name),
    );
    expect(watched.kind).toBe('PartialObjectMetadata');
    expect(watched).not.toHaveProperty('data');
  });

  it('syncs on a namespace that has none (the API server sends items: null)', async () => {
    const empty = await testNamespace(kc, 'no-secrets');
    const meta = metadataOnly(kc);
    const secrets = new SupervisedInformer<KubernetesObject>({
      name: 'secrets',
      kubeConfig: meta,
      path: `/api/v1/namespaces/${empty.name}/secrets`,
      list: () => meta.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: empty.name }),
      onChange: () => {},
      log,
    });
    try {
      await secrets.start();
      expect(secrets.healthy()).toBe(true);
      expect(secrets.list()).toEqual([]);
    } finally {
      await secrets.stop();
      await empty.remove();
    }
  });

  it('reads a content once per change, and not at all once it is gone', async () => {
    const reads: string[] = [];
    const contents = new ContentOnDemand<V1ConfigMap>(informer, async (namespace, name) => {
      reads.push(name);
      return core.readNamespacedConfigMap({ namespace, name });
    });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'settings' }, data: { mode: 'a' } },
    });
    await waitFor('settings in the metadata cache', async () => informer.get('settings', ns.name));
    expect((await contents.get(ns.name, 'settings'))?.data).toEqual({ mode: 'a' });
    expect((await contents.get(ns.name, 'settings'))?.data).toEqual({ mode: 'a' });
    expect(reads).toEqual(['settings']);

    const replaced = await core.replaceNamespacedConfigMap({
      namespace: ns.name,
      name: 'settings',
      body: { metadata: { name: 'settings' }, data: { mode: 'b' } },
    });
    await waitFor(
      'the change in the metadata cache',
      async () =>
        informer.get('settings', ns.name)?.metadata?.resourceVersion === replaced.metadata?.resourceVersion,
    );
    expect((await contents.get(ns.name, 'settings'))?.data).toEqual({ mode: 'b' });
    expect(reads).toEqual(['settings', 'settings']);

    await core.deleteNamespacedConfigMap({ namespace: ns.name, name: 'settings' });
    await waitFor('the delete in the metadata cache', async () => !informer.get('settings', ns.name));
    expect(await contents.get(ns.name, 'settings')).toBeUndefined();
    expect(reads).toEqual(['settings', 'settings']);
    expect(contents.size).toBe(0);
  });

  it('serves the operator the contents its passes ask for', async () => {
    const secret: V1Secret | undefined = await waitFor('the Secret through the caches', () =>
      controller.caches.secret(ns.name, 'creds'),
    );
    expect(Buffer.from(secret.data?.['password'] ?? '', 'base64').toString()).toBe('one');
    expect((await controller.caches.configMap(ns.name, 'unreferenced'))?.data?.['blob']).toHaveLength(
      big.length,
    );
    expect(await controller.caches.configMap(ns.name, 'nothing-by-this-name')).toBeUndefined();
  });
});
