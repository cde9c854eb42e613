// An ObjectClient whose reads of owned objects come from the owned-object caches (see
// kube/owned-cache.ts) and whose writes keep those caches ahead of the watch. Routers are unchanged:
// they read, build and write as before, and a steady canary's pass costs no API request.
import { MISS, type OwnedCache } from '../kube/owned-cache.ts';
import { ConflictError, refOf, type ObjectClient } from './kube-object.ts';

export function cachedObjectClient(inner: ObjectClient, cache: OwnedCache): ObjectClient {
  const remember = <T extends Parameters<OwnedCache['record']>[0]>(obj: T): T => {
    cache.record(obj);
    return obj;
  };
  const onConflict = (err: unknown, ref: Parameters<OwnedCache['distrust']>[0]): never => {
    // The write raced someone: the cached copy it was built from is old; read the API next time.
    if (err instanceof ConflictError) cache.distrust(ref);
    throw err;
  };
  return {
    async get(ref) {
      const hit = cache.lookup(ref);
      return hit !== MISS ? hit : inner.get(ref);
    },
    create: (obj) => inner.create(obj).then(remember, (err: unknown) => onConflict(err, refOf(obj))),
    replace: (obj) => inner.replace(obj).then(remember, (err: unknown) => onConflict(err, refOf(obj))),
    async delete(ref) {
      cache.distrust(ref);
      await inner.delete(ref);
    },
    likelyAbsent: (ref) => cache.likelyAbsent(ref),
  };
}
