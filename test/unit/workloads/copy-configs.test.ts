import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { WorkloadTarget } from '../../../operator/src/workloads/workload-target.ts';
import { MemoryClient } from '../routers/memory-client.ts';
import { emptyCache, offlineKubeConfig } from './offline.ts';

const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'web', uid: 'u1', controller: true };
const deployment = (name: string, annotations: Record<string, string> = {}): V1Deployment => ({
  metadata: { name, namespace: 'shop', annotations, resourceVersion: '5' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: 'app', image: 'web:2' }],
        volumes: [{ name: 'settings', configMap: { name: 'settings' } }],
      },
    },
  },
});

describe('WorkloadTarget: promoting tracked configs', () => {
  it('refuses to copy a ConfigMap that changed after the pass observed it', async () => {
    let settings: V1ConfigMap | undefined = {
      metadata: { name: 'settings', namespace: 'shop' },
      data: { mode: 'a' },
    };
    const cache = emptyCache({
      deployment: (_ns: string, name: string) =>
        name === 'web' ? deployment('web') : deployment('web-primary', { 'fledge.dev/revision': 'old' }),
      configMap: () => Promise.resolve(settings),
    });
    // Nothing may reach a server: the refusal comes before any write.
    const wt = new WorkloadTarget(offlineKubeConfig(), cache, new MemoryClient());
    const obs = await wt.observe('shop', { kind: 'Deployment', name: 'web' }, true);
    expect(obs.trackedConfigs['configmap/settings']).toBeDefined();
    settings = { ...settings!, data: { mode: 'b' } };
    await expect(wt.promote(obs, owner, obs.revision!)).rejects.toThrow(
      'configmap/settings in shop changed after the pass observed it',
    );
    // Gone since the observation: refused too, not skipped.
    settings = undefined;
    await expect(wt.promote(obs, owner, obs.revision!)).rejects.toThrow('changed after the pass observed it');
  });
});
