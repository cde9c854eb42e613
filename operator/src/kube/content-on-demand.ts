import type { KubernetesObject } from '@kubernetes/client-node';

/** What a metadata informer knows of an object: that it exists, and at which version. */
export interface MetadataIndex {
  get(name: string, namespace?: string): KubernetesObject | undefined;
  /** Listed and watching: an object it does not hold does not exist. */
  healthy(): boolean;
}

/**
 * Whole objects (ConfigMap and Secret contents) fetched only when a pass asks for them, and kept
 * while a metadata informer says they are unchanged. So the operator holds the contents of the
 * ConfigMaps and Secrets its canaries reference and only the metadata of every other; a change of
 * one costs one GET, shared by every pass that asks for it meanwhile. An entry goes when the
 * informer reports its object changed or gone, and when no pass has asked for it for `idleMs`.
 */
export class ContentOnDemand<T extends KubernetesObject> {
  private readonly held = new Map<string, { obj: T; usedAt: number }>();
  /** GETs in flight, per key and the version asked for: concurrent passes share one. */
  private readonly fetching = new Map<string, Promise<T | undefined>>();
  /**
   * Per key with a GET in flight: how many, and the changes the informer reported meanwhile (a
   * GET that began before a change may have read the older version, so its answer is not kept).
   */
  private readonly loads = new Map<string, { running: number; changes: number }>();
  private sweptAt = 0;
  private readonly index: MetadataIndex;
  private readonly fetch: (namespace: string, name: string) => Promise<T | undefined>;
  private readonly idleMs: number;
  private readonly now: () => number;

  /** `fetch` reads the API server; undefined when the object does not exist. */
  constructor(
    index: MetadataIndex,
    fetch: (namespace: string, name: string) => Promise<T | undefined>,
    idleMs = 15 * 60_000,
    now: () => number = Date.now,
  ) {
    this.index = index;
    this.fetch = fetch;
    this.idleMs = idleMs;
    this.now = now;
  }

  async get(namespace: string, name: string): Promise<T | undefined> {
    const key = `${namespace}/${name}`;
    this.sweep();
    const synced = this.index.healthy();
    const meta = synced ? this.index.get(name, namespace) : undefined;
    if (synced && !meta) {
      this.held.delete(key);
      return undefined;
    }
    const held = this.held.get(key);
    const version = meta?.metadata?.resourceVersion;
    if (held && version !== undefined && held.obj.metadata?.resourceVersion === version) {
      held.usedAt = this.now();
      return held.obj;
    }
    // Not synced (no answer without the API server), or changed since it was fetched.
    const flight = `${key}@${version ?? ''}`;
    let pending = this.fetching.get(flight);
    if (!pending) {
      pending = this.load(key, namespace, name).finally(() => this.fetching.delete(flight));
      this.fetching.set(flight, pending);
    }
    try {
      return await pending;
    } catch (err) {
      // The API server failed while the watch is down: the last content seen is the best answer
      // (a lagging cache, as a whole-object informer would be); with nothing held, the pass fails.
      if (!synced && held) return held.obj;
      throw err;
    }
  }

  private async load(key: string, namespace: string, name: string): Promise<T | undefined> {
    const load = this.loads.get(key) ?? { running: 0, changes: 0 };
    this.loads.set(key, load);
    load.running += 1;
    const before = load.changes;
    try {
      const obj = await this.fetch(namespace, name);
      if (obj?.metadata?.managedFields) delete obj.metadata.managedFields;
      if (load.changes === before) {
        if (obj) this.held.set(key, { obj, usedAt: this.now() });
        else this.held.delete(key);
      }
      return obj;
    } finally {
      load.running -= 1;
      if (load.running === 0) this.loads.delete(key);
    }
  }

  /** The informer saw the object change or go: its content is fetched again when next asked. */
  changed(obj: KubernetesObject, verb: 'add' | 'update' | 'delete'): void {
    const { namespace = '', name = '', resourceVersion } = obj.metadata ?? {};
    const key = `${namespace}/${name}`;
    if (verb === 'delete' || this.held.get(key)?.obj.metadata?.resourceVersion !== resourceVersion) {
      this.held.delete(key);
      const load = this.loads.get(key);
      if (load) load.changes += 1;
    }
  }

  /** Drops contents no pass asked for lately (a ConfigMap a target stopped mounting). */
  private sweep(): void {
    const now = this.now();
    if (now - this.sweptAt < this.idleMs / 10) return;
    this.sweptAt = now;
    const cutoff = now - this.idleMs;
    for (const [key, entry] of this.held) if (entry.usedAt < cutoff) this.held.delete(key);
  }

  /** Objects whose content is held (for tests and the memory figures). */
  get size(): number {
    return this.held.size;
  }
}
