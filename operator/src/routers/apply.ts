// Read, build, compare, write: the one write path of every router. The desired object is always
// computed from the live one, so a router changes only the fields it owns and another writer's
// fields survive. On a 409 the whole cycle runs again on fresh data (like client-go's
// RetryOnConflict); an object that keeps changing under us surfaces as RouteConflictError.
import { RouteConflictError, RouterError } from './errors.ts';
import {
  ConflictError,
  describeRef,
  type KubeObject,
  type ObjectClient,
  type ObjectRef,
} from './kube-object.ts';
import { sameJson } from './object-meta.ts';

export const conflictAttempts = 5;

export interface ApplyResult {
  /** The object as stored after the call; undefined when absent and nothing was created. */
  object: KubeObject | undefined;
  written: boolean;
}

/**
 * Applies `desired(live)` to `ref`: creates when absent, replaces (with the live resourceVersion)
 * when different, and does nothing when equal or when `desired` returns undefined (leave as is).
 * `desired` may throw a RouterError to refuse.
 *
 * When the client's cache says the object is likely absent (a new canary's Services and routes),
 * the first attempt creates without reading: one request instead of a 404 and a create. If it
 * exists after all, the create's conflict makes the next attempt read it, as any conflict does;
 * and when nothing would be created the object is read before "absent" is answered.
 */
export async function applyObject(
  client: ObjectClient,
  ref: ObjectRef,
  desired: (live: KubeObject | undefined) => KubeObject | undefined,
): Promise<ApplyResult> {
  const name = describeRef(ref);
  let guess = client.likelyAbsent?.(ref) ?? false;
  for (let conflicts = 0; ;) {
    const live = guess ? undefined : await readObject(client, ref);
    const want = desired(live);
    if (guess) {
      guess = false;
      // Nothing to create: read the object rather than answer "absent" from a guess.
      if (!want) continue;
    }
    if (!want || (live && sameJson(live, want))) return { object: live, written: false };
    const action = live ? 'update' : 'create';
    try {
      const object = live
        ? await client.replace({
            ...want,
            metadata: { ...want.metadata, resourceVersion: live.metadata.resourceVersion },
          })
        : await client.create(want);
      return { object, written: true };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw new RouterError(name, `${action} failed`, { cause: err });
      conflicts++;
      if (conflicts >= conflictAttempts) {
        throw new RouteConflictError(name, `${action} failed: conflict on each of ${conflicts} attempts`, {
          cause: err,
        });
      }
      // A short, growing pause lets a burst of writes by the other party settle.
      await new Promise((resolve) => setTimeout(resolve, 10 * conflicts));
    }
  }
}

/** The live object, with a read failure named after it. */
export async function readObject(client: ObjectClient, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return await client.get(ref);
  } catch (err) {
    throw new RouterError(describeRef(ref), 'read failed', { cause: err });
  }
}

/** Deletes `ref`; absent is fine. */
export async function deleteObject(client: ObjectClient, ref: ObjectRef): Promise<void> {
  try {
    await client.delete(ref);
  } catch (err) {
    throw new RouterError(describeRef(ref), 'delete failed', { cause: err });
  }
}
