import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, type CanaryObject } from '../controller.ts';
import { apiMessage, httpStatus, isConflict, isNotFound } from '../kube/errors.ts';
import { JSON_PATCH, KubeRest, resourcePath } from '../kube/rest.ts';

/** The API server answers a failed JSON patch `test` with 422 and the op's message. */
const isFailedTest = (err: unknown) => httpStatus(err) === 422 && /test/i.test(apiMessage(err));

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
  /**
   * Replaces status only if `status.decision.seq` is still `expectedSeq`: a JSON patch whose
   * `test` guards the decision counter instead of the whole object's resourceVersion, so a label
   * or annotation another client adds meanwhile does not conflict, while a second writer of a
   * decision does. False when the Canary is gone; StatusConflictError when the test failed.
   */
  replaceIfSeq(namespace: string, name: string, expectedSeq: number, status: object): Promise<boolean>;
  /** Sets status.decision.delivered, guarded the same way. */
  markDelivered(namespace: string, name: string, seq: number, delivered: number[]): Promise<boolean>;
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
export function createStatusWriter(
  kc: KubeConfig,
  onCall: () => void = () => {},
  /** Every Canary as the API server returned it from a write: the next pass reads it, not an older cache. */
  onWritten: (obj: CanaryObject) => void = () => {},
): StatusWriter {
  const api = new KubeRest(kc);
  const statusPath = (namespace: string, name: string) =>
    resourcePath({
      group: GROUP,
      version: VERSION,
      plural: 'canaries',
      namespace,
      name,
      subresource: 'status',
    });
  const patch = async (namespace: string, name: string, ops: object[]): Promise<boolean> => {
    try {
      onCall();
      onWritten(await api.patch<CanaryObject>(statusPath(namespace, name), ops, JSON_PATCH));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (isConflict(err) || isFailedTest(err))
        throw new StatusConflictError(`Canary ${namespace}/${name}: another decision was written first`, {
          cause: err,
        });
      throw new Error(`Canary ${namespace}/${name}: status update failed`, { cause: err });
    }
  };
  return {
    replaceIfSeq: (namespace, name, expectedSeq, status) =>
      patch(namespace, name, [
        { op: 'test', path: '/status/decision/seq', value: expectedSeq },
        { op: 'replace', path: '/status', value: status },
      ]),
    markDelivered: (namespace, name, seq, delivered) =>
      patch(namespace, name, [
        { op: 'test', path: '/status/decision/seq', value: seq },
        { op: 'replace', path: '/status/decision/delivered', value: delivered },
      ]),
    async write(namespace, name, resourceVersion, status) {
      try {
        onCall();
        onWritten(
          await api.replace<CanaryObject>(statusPath(namespace, name), {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'Canary',
            metadata: { name, namespace, resourceVersion },
            status,
          }),
        );
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
