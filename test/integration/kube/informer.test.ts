import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupervisedInformer } from '../../../operator/src/kube/informer.ts';
import { waitFor } from '../../env/wait.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

// The supervisor on the real API server: a watch whose resource does not exist yet fails (client-
// node's informer then stops for good); the supervisor restarts it with backoff until the CRD is
// installed, reports unready meanwhile, and rebuilds a watch that has been quiet too long.
describe('SupervisedInformer', () => {
  const kc = testKubeConfig();
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

  beforeAll(async () => {
    ns = await testNamespace(kc, 'informer');
    informer = new SupervisedInformer<KubernetesObject>({
      name: 'gadgets',
      kubeConfig: kc,
      path: `/apis/${group}/v1/namespaces/${ns.name}/gadgets`,
      list: () =>
        custom.listNamespacedCustomObject({
          group,
          version: 'v1',
          namespace: ns.name,
          plural: 'gadgets',
        }) as Promise<KubernetesListObject<KubernetesObject>>,
      onChange: (obj, verb) => seen.push(`${verb} ${obj.metadata?.name}`),
      log,
      baseBackoffMs: 100,
      maxBackoffMs: 1000,
      maxQuietMs: 1500,
    });
  });
  afterAll(async () => {
    await informer?.stop();
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
    await custom.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns.name,
      plural: 'gadgets',
      body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'one' } },
    });
    await waitFor('add one', () => seen.includes('add one'));
    expect(informer.get('one', ns.name)?.metadata?.name).toBe('one');
  });

  it('rebuilds a quiet watch and still delivers changes after it', async () => {
    const quietRestarts = () => logs.filter((l) => l.msg === 'restarting watch' && l.why === 'quiet').length;
    const before = quietRestarts();
    await waitFor('a restart for quietness', () => quietRestarts() > before, { timeoutMs: 40_000 });
    await waitFor('the informer to be healthy again', () => informer.healthy());
    await custom.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns.name,
      plural: 'gadgets',
      body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'two' } },
    });
    await waitFor('add two', () => seen.includes('add two'));
    // The cache kept serving across the rebuild.
    expect(informer.get('one', ns.name)?.metadata?.name).toBe('one');
  });
});
