import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * Orders two resourceVersions. They are opaque by contract, but the API server's are etcd
 * revisions, decimal integers that grow with every write (Kubernetes documents them as
 * comparable since the comparable-resource-version work). Undefined when either is not one.
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * The operator's own writes, layered over an informer cache until the cache has caught up. An
 * informer delivers a write some time after the API server answered it; a pass that reads the
 * cache in between would decide on the world as it was before the operator's own effect (a
 * primary without the revision just promoted). Reads return the newer of the cached object and
 * the one this process last wrote. An entry goes once the cache holds that version or a newer
 * one, or after `maxAgeMs` (the object may have been deleted since: the cache then has the truth).
 */
export class WriteThrough<T extends KubernetesObject> {
  private readonly written = new Map<string, { obj: T; at: number }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private records = 0;

  constructor(maxAgeMs = 30_000, now: () => number = Date.now) {
    this.maxAgeMs = maxAgeMs;
    this.now = now;
  }

  /** Remembers the object as the API server returned it from a write. */
  record(obj: T | undefined): void {
    const { namespace = '', name, resourceVersion } = obj?.metadata ?? {};
    if (!obj || !name || !resourceVersion) return;
    const key = `${namespace}/${name}`;
    const held = this.written.get(key);
    if (held && (compareResourceVersions(held.obj.metadata?.resourceVersion, resourceVersion) ?? -1) > 0)
      return;
    this.written.set(key, { obj, at: this.now() });
    // Entries of objects never read again (a deleted canary's) expire here, not only on read.
    if (++this.records % 128 === 0) {
      const cutoff = this.now() - this.maxAgeMs;
      for (const [k, v] of this.written) if (v.at < cutoff) this.written.delete(k);
    }
  }

  /** The newer of `cached` and this process's last write of the same object. */
  read(namespace: string, name: string, cached: T | undefined): T | undefined {
    const key = `${namespace}/${name}`;
    const held = this.written.get(key);
    if (!held) return cached;
    const order = compareResourceVersions(
      cached?.metadata?.resourceVersion,
      held.obj.metadata?.resourceVersion,
    );
    if ((order !== undefined && order >= 0) || this.now() - held.at > this.maxAgeMs) {
      this.written.delete(key);
      return cached;
    }
    return held.obj;
  }

  /**
   * The object was deleted at `resourceVersion`: a write of ours from before is no longer the
   * world (held, it would hide the deletion until it expires). A later write, a re-creation, stays.
   */
  deleted(namespace: string, name: string, resourceVersion: string | undefined): void {
    const key = `${namespace}/${name}`;
    const held = this.written.get(key);
    if (!held) return;
    const order = compareResourceVersions(held.obj.metadata?.resourceVersion, resourceVersion);
    if (order === undefined || order <= 0) this.written.delete(key);
  }

  /** This process's last write of the object, if still held (the informer may not have it yet). */
  peek(namespace: string, name: string): T | undefined {
    return this.written.get(`${namespace}/${name}`)?.obj;
  }

  get size(): number {
    return this.written.size;
  }
}
