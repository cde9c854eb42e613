import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { statusCode, statusMessage, testKubeConfig, testNamespace } from '../support.ts';

// A throwaway CRD proves the API server enforces structural schemas and CEL rules for real; fledge's
// own CRDs are tested the same way in test/integration/api.
const group = 'envtest.fledge.dev';
const crd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['min', 'max'],
                properties: { min: { type: 'integer', minimum: 0 }, max: { type: 'integer' } },
                // client-node's typed model spells the extension with underscores; its serializer writes x-kubernetes-validations.
                x_kubernetes_validations: [
                  { rule: 'self.min <= self.max', message: 'min must not exceed max', fieldPath: '.min' },
                ],
              },
              status: { type: 'object', properties: { seen: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
};

describe('a CRD with a schema and a CEL rule on the real API server', () => {
  const kc = testKubeConfig();
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  const widget = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: `${group}/v1`,
    kind: 'Widget',
    metadata: { name },
    spec,
  });
  const create = (body: object) =>
    objects.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns.name,
      plural: 'widgets',
      body,
    });

  beforeAll(async () => {
    ns = await testNamespace(kc, 'crd');
    await ext.createCustomResourceDefinition({ body: crd }).catch((err: unknown) => {
      if (statusCode(err) !== 409) throw err;
    });
    await waitFor('the Widget CRD to be Established', async () => {
      const live = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
    // Discovery of a new CRD lags Established by a moment; create a valid object until it works.
    await waitFor('Widget objects to be served', async () => {
      await create(widget('probe', { min: 0, max: 0 }));
      return true;
    });
  });
  afterAll(async () => ns.remove());

  it('accepts a valid object', async () => {
    const created = (await create(widget('ok', { min: 1, max: 2 }))) as { metadata: { uid: string } };
    expect(created.metadata.uid).toMatch(/[0-9a-f-]{36}/);
  });

  it('rejects a CEL violation with the server message naming the field', async () => {
    const err = await create(widget('bad-cel', { min: 5, max: 2 })).catch((e: unknown) => e);
    expect(statusCode(err)).toBe(422);
    expect(statusMessage(err)).toContain('spec.min: Invalid value');
    expect(statusMessage(err)).toContain('min must not exceed max');
  });

  it('rejects a schema violation (minimum) naming the field', async () => {
    const err = await create(widget('bad-min', { min: -1, max: 2 })).catch((e: unknown) => e);
    expect(statusCode(err)).toBe(422);
    expect(statusMessage(err)).toMatch(
      /spec\.min: Invalid value: -1: spec\.min in body should be greater than or equal to 0/,
    );
  });

  it('conflicts (409) on a status update with a stale resourceVersion', async () => {
    const created = (await create(widget('conflict', { min: 0, max: 1 }))) as {
      metadata: { resourceVersion: string; name: string };
    };
    const stale = {
      ...widget('conflict', { min: 0, max: 1 }),
      metadata: { ...created.metadata },
      status: { seen: 1 },
    };
    const args = { group, version: 'v1', namespace: ns.name, plural: 'widgets', name: 'conflict' };
    const first = (await objects.replaceNamespacedCustomObjectStatus({ ...args, body: stale })) as {
      metadata: { resourceVersion: string };
      status: { seen: number };
    };
    expect(first.status.seen).toBe(1);
    expect(first.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
    const err = await objects
      .replaceNamespacedCustomObjectStatus({ ...args, body: { ...stale, status: { seen: 2 } } })
      .catch((e: unknown) => e);
    expect(statusCode(err)).toBe(409);
    expect(statusMessage(err)).toContain('the object has been modified');
  });
});
