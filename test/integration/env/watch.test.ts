import { CoreV1Api, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { testKubeConfig, testNamespace } from '../support.ts';

describe('a watch on the real API server', () => {
  const kc = testKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  beforeAll(async () => {
    ns = await testNamespace(kc, 'watch');
  });
  afterAll(async () => ns?.remove());

  it('sees ADDED, MODIFIED and DELETED of a ConfigMap in order', async () => {
    const seen: Array<{ type: string; value: string | undefined }> = [];
    const watch = new Watch(kc);
    const request = await watch.watch(
      `/api/v1/namespaces/${ns.name}/configmaps`,
      { fieldSelector: 'metadata.name=settings' },
      (type: string, obj: { data?: Record<string, string> }) =>
        seen.push({ type, value: obj.data?.['colour'] }),
      () => {},
    );
    try {
      await core.createNamespacedConfigMap({
        namespace: ns.name,
        body: { metadata: { name: 'settings' }, data: { colour: 'blue' } },
      });
      await waitFor('ADDED', () => seen.length >= 1);
      await core.replaceNamespacedConfigMap({
        name: 'settings',
        namespace: ns.name,
        body: { metadata: { name: 'settings' }, data: { colour: 'green' } },
      });
      await core.deleteNamespacedConfigMap({ name: 'settings', namespace: ns.name });
      await waitFor('DELETED', () => seen.some((e) => e.type === 'DELETED'));
      expect(seen).toEqual([
        { type: 'ADDED', value: 'blue' },
        { type: 'MODIFIED', value: 'green' },
        { type: 'DELETED', value: 'green' },
      ]);
    } finally {
      request.abort();
    }
  });
});
