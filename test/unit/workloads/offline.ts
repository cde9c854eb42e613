import { KubeConfig } from '@kubernetes/client-node';
import type { WorkloadCache } from '../../../operator/src/workloads/workload-target.ts';

/** A KubeConfig whose server refuses every connection: a test built on it sends no request. */
export function offlineKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'none', server: 'http://127.0.0.1:9' }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  return kc;
}

/** A WorkloadCache that holds nothing, with the lookups a test cares about overridden. */
export function emptyCache(overrides: Partial<WorkloadCache> = {}): WorkloadCache {
  return {
    deployment: () => undefined,
    daemonSet: () => undefined,
    configMap: () => Promise.resolve(undefined),
    secret: () => Promise.resolve(undefined),
    autoscaler: () => undefined,
    scaledObject: () => undefined,
    ...overrides,
  };
}
