import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiMessage, isConflict, isNotFound } from '../../../operator/src/kube/errors.ts';
import { metadataOnly } from '../../../operator/src/kube/metadata-only.ts';
import {
  JSON_PATCH,
  KubeApiError,
  KubeRest,
  MERGE_PATCH,
  resourcePath,
} from '../../../operator/src/kube/rest.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

interface ConfigMap {
  metadata: {
    name: string;
    resourceVersion?: string;
    creationTimestamp?: unknown;
    managedFields?: { manager: string }[];
  };
  data?: Record<string, string>;
}

describe('KubeRest on the real API server', () => {
  const kc = testKubeConfig();
  const rest = new KubeRest(kc);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  const cm = (name?: string) =>
    resourcePath({ group: '', version: 'v1', plural: 'configmaps', namespace: ns.name, name });

  beforeAll(async () => {
    ns = await testNamespace(kc, 'kube-rest');
  });
  afterAll(async () => ns.remove());

  it('sends and returns JSON as the API server has it, written as fledge', async () => {
    const created = await rest.create<ConfigMap>(cm(), { metadata: { name: 'plain' }, data: { a: '1' } });
    // No model in between: timestamps stay the server's strings.
    expect(typeof created.metadata.creationTimestamp).toBe('string');
    expect(created.metadata.managedFields?.map((f) => f.manager)).toEqual(['fledge']);
    const patched = await rest.patch<ConfigMap>(cm('plain'), { data: { b: '2' } }, MERGE_PATCH);
    expect(patched.data).toEqual({ a: '1', b: '2' });
    const read = await rest.get<ConfigMap>(cm('plain'));
    expect(read.metadata.resourceVersion).toBe(patched.metadata.resourceVersion);
  });

  it('fails with the HTTP status and the Status message, as the error helpers read them', async () => {
    const absent = await rest.get(cm('absent')).catch((e: unknown) => e);
    expect(absent).toBeInstanceOf(KubeApiError);
    expect(isNotFound(absent)).toBe(true);
    expect(apiMessage(absent)).toBe('configmaps "absent" not found');

    await rest.create(cm(), { metadata: { name: 'twice' } });
    const again = await rest.create(cm(), { metadata: { name: 'twice' } }).catch((e: unknown) => e);
    expect(isConflict(again)).toBe(true);

    const stale = await rest
      .replace(cm('twice'), { metadata: { name: 'twice', resourceVersion: '1' } })
      .catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);

    // A JSON patch whose test fails is refused whole (the status writer's guard).
    const failedTest = await rest
      .patch(
        cm('twice'),
        [
          { op: 'test', path: '/data/x', value: 'y' },
          { op: 'add', path: '/data', value: {} },
        ],
        JSON_PATCH,
      )
      .catch((e: unknown) => e);
    expect((failedTest as KubeApiError).code).toBe(422);
    expect((await rest.get<ConfigMap>(cm('twice'))).data).toBeUndefined();
  });

  it('lists metadata only through a metadata-only view', async () => {
    await rest.create(cm(), { metadata: { name: 'with-data' }, data: { secret: 'value' } });
    const list = await new KubeRest(metadataOnly(kc)).get<{ kind: string; items: ConfigMap[] }>(cm());
    expect(list.kind).toBe('PartialObjectMetadataList');
    const item = list.items.find((i) => i.metadata.name === 'with-data');
    expect(item?.metadata.resourceVersion).toBeDefined();
    expect(item?.data).toBeUndefined();
  });

  it('deletes, and a second delete is a 404', async () => {
    await rest.create(cm(), { metadata: { name: 'gone' } });
    await rest.delete(cm('gone'));
    expect(isNotFound(await rest.delete(cm('gone')).catch((e: unknown) => e))).toBe(true);
  });
});
