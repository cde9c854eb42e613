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
 * ConfigMaps and Secrets its canaries reference (one GET per change of one of them) and only the
 * metadata of every other. An entry goes when the informer reports its object changed or gone:
 * an object no canary references any more leaves memory at its next change at the latest.
 */
export class ContentOnDemand<T extends KubernetesObject> {
  private readonly held = new Map<string, T>();
  private readonly index: MetadataIndex;
  private readonly fetch: (namespace: string, name: string) => Promise<T | undefined>;

  /** `fetch` reads the API server; undefined when the object does not exist. */
  constructor(index: MetadataIndex, fetch: (namespace: string, name: string) => Promise<T | undefined>) {
    this.index = index;
    this.fetch = fetch;
  }

  async get(namespace: string, name: string): Promise<T | undefined> {
    const key = `${namespace}/${name}`;
    const synced = this.index.healthy();
    const meta = synced ? this.index.get(name, namespace) : undefined;
    if (synced && !meta) {
      this.held.delete(key);
      return undefined;
    }
    const held = this.held.get(key);
    const version = meta?.metadata?.resourceVersion;
    if (held && version !== undefined && held.metadata?.resourceVersion === version) return held;
    // Not synced (no answer without the API server), or changed since it was fetched.
    const obj = await this.fetch(namespace, name);
    if (obj?.metadata?.managedFields) delete obj.metadata.managedFields;
    if (obj) this.held.set(key, obj);
    else this.held.delete(key);
    return obj;
  }

  /** The informer saw the object change or go: its content is fetched again when next asked. */
  changed(obj: KubernetesObject, verb: 'add' | 'update' | 'delete'): void {
    const { namespace = '', name = '', resourceVersion } = obj.metadata ?? {};
    const key = `${namespace}/${name}`;
    if (verb === 'delete' || this.held.get(key)?.metadata?.resourceVersion !== resourceVersion)
      this.held.delete(key);
  }

  /** Objects whose content is held (for tests and the memory figures). */
  get size(): number {
    return this.held.size;
  }
}
