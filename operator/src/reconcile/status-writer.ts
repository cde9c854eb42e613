import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../controller.ts';
import { isConflict, isNotFound } from '../kube/errors.ts';

export interface StatusWriter {
  /**
   * Replaces status with optimistic concurrency on the resourceVersion the pass read; false when
   * the Canary is gone. A 409 throws StatusConflictError: the pass decided on a stale object.
   */
  write(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    status: object,
  ): Promise<boolean>;
}

/** The Canary changed after the pass read it; the pass must run again on a fresh read. */
export class StatusConflictError extends Error {
  override name = 'StatusConflictError';
}

/**
 * Writes the status subresource with the resourceVersion the pass read. A conflict is never
 * resolved by writing anyway: the decision behind this status was taken on an object that has
 * changed since (a spec edit, or a status this operator wrote a moment ago), so the caller
 * re-reads and decides again. Counts calls so benchmarks can report API calls per step.
 */
export function createStatusWriter(kc: KubeConfig, onCall: () => void = () => {}): StatusWriter {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: GROUP, version: VERSION, plural: 'canaries' };
  return {
    async write(namespace, name, resourceVersion, status) {
      try {
        onCall();
        await api.replaceNamespacedCustomObjectStatus({
          ...base,
          namespace,
          name,
          body: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'Canary',
            metadata: { name, namespace, resourceVersion },
            status,
          },
        });
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        if (isConflict(err))
          throw new StatusConflictError(`Canary ${namespace}/${name} changed during the pass`, {
            cause: err,
          });
        throw new Error(`Canary ${namespace}/${name}: status update failed`, { cause: err });
      }
    },
  };
}
