import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BoundedKubeConfig } from '../../../operator/src/kube/client.ts';
import { startTcpProxy, viaProxy, type TcpProxy } from '../../env/tcp-proxy.ts';
import { SupervisedInformer } from '../../../operator/src/kube/informer.ts';
import { waitFor } from '../../env/wait.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

// The supervisor on the real API server, reached through a loopback TCP proxy the test can cut: a
// watch whose resource does not exist yet fails (client-node's informer then stops for good); the
// supervisor restarts it with backoff until the CRD is installed, reports unready meanwhile, and
// after a cut connection resumes without losing an event, deletes included.
describe('SupervisedInformer', () => {
  const kc = testKubeConfig();
  let proxy: TcpProxy;
  let proxied: BoundedKubeConfig;
  let proxiedCustom: CustomObjectsApi;
  const group = `g${randomBytes(3).toString('hex')}.fledge.dev`;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  const logs: Array<{ msg: string; why?: string }> = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line) as { msg: string }) },
  );
  const seen: string[] = [];
  let informer: SupervisedInformer<KubernetesObject>;

  /** An informer on the test's gadgets, reached through the proxy with a 3 s request deadline. */
  const gadgetInformer = (
    name: string,
    onChange: (obj: KubernetesObject, verb: string) => void,
    logger: typeof log,
    maxBackoffMs: number,
  ) =>
    new SupervisedInformer<KubernetesObject>({
      name,
      kubeConfig: proxied,
      path: `/apis/${group}/v1/namespaces/${ns.name}/gadgets`,
      list: () =>
        proxiedCustom.listNamespacedCustomObject({
          group,
          version: 'v1',
          namespace: ns.name,
          plural: 'gadgets',
        }) as Promise<KubernetesListObject<KubernetesObject>>,
      onChange,
      log: logger,
      baseBackoffMs: 100,
      maxBackoffMs,
    });

  beforeAll(async () => {
    ns = await testNamespace(kc, 'informer');
    const server = new URL(kc.getCurrentCluster()!.server);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
    proxied = new BoundedKubeConfig(3_000);
    proxied.loadFromString(viaProxy(readFileSync(inject('kubeconfig'), 'utf8'), proxy.port));
    proxiedCustom = proxied.makeApiClient(CustomObjectsApi);
    informer = gadgetInformer(
      'gadgets',
      (obj, verb) => seen.push(`${verb} ${obj.metadata?.name}`),
      log,
      1000,
    );
  });
  afterAll(async () => {
    await informer?.stop();
    await proxy?.close();
    await ext.deleteCustomResourceDefinition({ name: `gadgets.${group}` }).catch(() => {});
    await ns?.remove();
  });

  it('keeps retrying a watch whose resource is missing, and is unready meanwhile', async () => {
    await informer.start();
    expect(informer.healthy()).toBe(false);
    await waitFor(
      'two restarts after errors',
      () => logs.filter((l) => l.msg === 'restarting watch').length >= 2,
    );
    expect(informer.healthy()).toBe(false);
  });

  it('recovers once the resource exists and sees objects created after', async () => {
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: `gadgets.${group}` },
        spec: {
          group,
          names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } as never,
              },
            },
          ],
        },
      },
    });
    await waitFor('the informer to be healthy', () => informer.healthy(), { timeoutMs: 20_000 });
    await gadget('one');
    await waitFor('add one', () => seen.includes('add one'));
    expect(informer.get('one', ns.name)?.metadata?.name).toBe('one');
  });

  const gadget = (name: string) =>
    custom.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns.name,
      plural: 'gadgets',
      body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name } },
    });

  it('misses nothing while its connection is cut: the delete and the add come after', async () => {
    await gadget('two');
    await waitFor('add two', () => seen.includes('add two'));
    proxy.setMode('refuse');
    await waitFor('the informer to see the cut', () => !informer.healthy(), { timeoutMs: 20_000 });
    await custom.deleteNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns.name,
      plural: 'gadgets',
      name: 'one',
    });
    await gadget('three');
    expect(seen).not.toContain('delete one');
    proxy.setMode('forward');
    await waitFor('the informer to be healthy again', () => informer.healthy(), { timeoutMs: 20_000 });
    await waitFor(
      'delete one and add three',
      () => seen.includes('delete one') && seen.includes('add three'),
    );
    expect(informer.get('one', ns.name)).toBeUndefined();
    expect(informer.get('two', ns.name)?.metadata?.name).toBe('two');
    expect(seen.filter((s) => s === 'add two')).toHaveLength(1);
  });

  it('cuts a LIST that hangs at the request deadline and retries until it answers', async () => {
    proxy.setMode('hang');
    const lateLogs: Array<{ msg: string }> = [];
    const lateLog = pino(
      { level: 'info' },
      { write: (line: string) => void lateLogs.push(JSON.parse(line) as { msg: string }) },
    );
    const late = gadgetInformer('late', () => {}, lateLog, 500);
    try {
      const started = Date.now();
      await late.start(); // returns after the first attempt: the 3 s deadline, not undici's 300 s
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(late.healthy()).toBe(false);
      await waitFor(
        'a second timed-out attempt',
        () => lateLogs.filter((l) => l.msg === 'watch failed; restarting').length >= 2,
        {
          timeoutMs: 20_000,
        },
      );
      proxy.setMode('forward');
      await waitFor('the late informer to be healthy', () => late.healthy(), { timeoutMs: 20_000 });
      expect(late.get('two', ns.name)?.metadata?.name).toBe('two');
    } finally {
      proxy.setMode('forward');
      await late.stop();
    }
  });
});
