import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../controller.ts';
import { isConflict, isNotFound } from '../kube/errors.ts';

export interface StatusWriter {
  /** Replaces status with optimistic concurrency; false when the Canary is gone. */
  write(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    status: object,
  ): Promise<boolean>;
}

/**
 * Writes the status subresource with the resourceVersion the pass read. On 409 it re-reads the
 * Canary and writes again on the fresh version: status belongs to the operator alone (only the
 * leader writes), so the conflict can only come from a spec or metadata change, which queues
 * another pass anyway. Counts calls so benchmarks can report API calls per step.
 */
export function createStatusWriter(kc: KubeConfig, onCall: () => void = () => {}): StatusWriter {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: GROUP, version: VERSION, plural: 'canaries' };
  return {
    async write(namespace, name, resourceVersion, status) {
      let rv = resourceVersion;
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          onCall();
          await api.replaceNamespacedCustomObjectStatus({
            ...base,
            namespace,
            name,
            body: {
              apiVersion: `${GROUP}/${VERSION}`,
              kind: 'Canary',
              metadata: { name, namespace, resourceVersion: rv },
              status,
            },
          });
          return true;
        } catch (err) {
          if (isNotFound(err)) return false;
          if (!isConflict(err))
            throw new Error(`Canary ${namespace}/${name}: status update failed`, { cause: err });
          onCall();
          const fresh = (await api.getNamespacedCustomObject({ ...base, namespace, name })) as {
            metadata?: { resourceVersion?: string };
          };
          rv = fresh.metadata?.resourceVersion;
        }
      }
      throw new Error(`Canary ${namespace}/${name}: status update conflicted 5 times`);
    },
  };
}
