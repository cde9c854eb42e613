import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, type CanaryObject } from '../controller.ts';
import { isNotFound } from '../kube/errors.ts';
import { KubeRest, MERGE_PATCH, resourcePath } from '../kube/rest.ts';

/** Holds a Canary's deletion until traffic and replicas are given back (revertOnDeletion). */
export const FINALIZER = 'fledge.dev/revert-on-deletion';

export interface Finalizers {
  set(
    namespace: string,
    name: string,
    finalizers: string[],
    resourceVersion: string | undefined,
  ): Promise<void>;
}

export function createFinalizers(
  kc: KubeConfig,
  onWritten: (obj: CanaryObject) => void = () => {},
): Finalizers {
  const api = new KubeRest(kc);
  return {
    async set(namespace, name, finalizers, resourceVersion) {
      try {
        // The resourceVersion makes this a compare-and-swap: two writers never lose each other's finalizers.
        const written = await api.patch<CanaryObject>(
          resourcePath({ group: GROUP, version: VERSION, plural: 'canaries', namespace, name }),
          { metadata: { finalizers, resourceVersion } },
          MERGE_PATCH,
        );
        onWritten(written);
      } catch (err) {
        if (!isNotFound(err))
          throw new Error(`Canary ${namespace}/${name}: finalizer update failed`, { cause: err });
      }
    },
  };
}
