import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type KubeObject, type ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import { waitFor } from '../../env/wait.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

describe('kubeObjectClient on the real API server', () => {
  const kc = testKubeConfig();
  const client = kubeObjectClient(kc);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  const cmRef = (name: string): ObjectRef => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: ns.name,
    name,
  });
  const configMap = (name: string, data: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns.name },
    data,
  });

  beforeAll(async () => {
    ns = await testNamespace(kc, 'router-client');
  });
  afterAll(async () => ns.remove());

  it('reads an absent object as undefined and deletes it without error', async () => {
    expect(await client.get(cmRef('absent'))).toBeUndefined();
    await client.delete(cmRef('absent'));
  });

  it('writes and reads plain JSON, every field intact', async () => {
    const ingress: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'exact',
        namespace: ns.name,
        annotations: { 'nginx.ingress.kubernetes.io/canary': 'true' },
      },
      spec: {
        defaultBackend: { service: { name: 'x', port: { name: 'http' } } },
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Exact', backend: { service: { name: 'y', port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    };
    const created = await client.create(ingress);
    expect(typeof created.metadata['creationTimestamp']).toBe('string'); // JSON, not a Date
    const read = await client.get({ ...ingress, namespace: ns.name, name: 'exact' });
    expect(read).toMatchObject(ingress);
    expect(read?.['spec']).toEqual(ingress['spec']);
  });

  it('turns AlreadyExists and stale resourceVersions into ConflictError', async () => {
    const first = await client.create(configMap('conflict', { a: '1' }));
    await expect(client.create(configMap('conflict'))).rejects.toBeInstanceOf(ConflictError);
    await client.replace({ ...first, data: { a: '2' } });
    const stale = client.replace({ ...first, data: { a: '3' } });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(stale).rejects.toThrow(`ConfigMap ${ns.name}/conflict: conflict`);
    expect((await client.get(cmRef('conflict')))?.['data']).toEqual({ a: '2' });
  });

  it('refuses a blind replace without resourceVersion', async () => {
    await expect(client.replace(configMap('blind'))).rejects.toThrow(/needs a resourceVersion/);
  });

  it.each([
    ['an unknown group version', 'example.com/v9'],
    ['an unknown kind in a served group version', 'v1'],
  ])('fails readably for %s, never as "absent"', async (_name, apiVersion) => {
    const err = await client
      .get({ apiVersion, kind: 'Nothing', namespace: ns.name, name: 'x' })
      .catch((e: unknown) => e);
    expect(String(err)).toMatch(`${apiVersion} Nothing is not served by the API server`);
  });

  it('keeps YAML-spelled schema extensions that client-node typed serialization drops', async () => {
    const widgets = (name: string) =>
      ({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `widgets.${name}.fledge.dev` },
        spec: {
          group: `${name}.fledge.dev`,
          names: { plural: 'widgets', kind: 'Widget' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      }) as KubeObject;
    // Through the plain-JSON client: written and read back with the extension.
    await client.create(widgets('kept')).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
    const crd = await client.get({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      namespace: '',
      name: 'widgets.kept.fledge.dev',
    });
    const versions = (
      crd?.['spec'] as { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] }
    ).versions;
    expect(versions[0]?.schema.openAPIV3Schema['x-kubernetes-preserve-unknown-fields']).toBe(true);
    // Discovery says which kinds are served: the reconciler's check before a provider's first write.
    await waitFor('the Widget kind served', () => client.served('kept.fledge.dev/v1', 'Widget'));
    expect(await client.served('v1', 'Service')).toBe(true);
    expect(await client.served('v1', 'NoSuchKind')).toBe(false);
    expect(await client.served('absent.fledge.dev/v1', 'Widget')).toBe(false);

    // The same kind of object through client-node's KubernetesObjectApi (a dry run): the extension is gone.
    const typed = KubernetesObjectApi.makeApiClient(kc);
    const widget = widgets('dropped') as unknown as KubernetesObject;
    const echoed = (await typed.create(widget, undefined, 'All')) as unknown as {
      spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] };
    };
    const schema = echoed.spec.versions[0]?.schema.openAPIV3Schema ?? {};
    expect(schema['x-kubernetes-preserve-unknown-fields']).toBeUndefined();
    expect(schema['x_kubernetes_preserve_unknown_fields']).toBeUndefined();
  });
});
