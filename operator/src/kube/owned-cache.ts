import type { KubeConfig, KubernetesListObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, MANAGED_BY, MANAGED_BY_LABEL } from '../api/group.ts';
import type { KubeObject, ObjectRef } from '../routers/kube-object.ts';
import type { ListingObjectClient } from '../routers/object-client.ts';
import { SupervisedInformer } from './informer.ts';
import { WriteThrough } from './write-through.ts';

/** What `lookup` answers when the cache cannot: read the API server. */
export const MISS = Symbol('miss');

export interface OwnedCacheOptions {
  kubeConfig: KubeConfig;
  client: ListingObjectClient;
  /** Namespace watched; empty for all. */
  namespace: string;
  log: Logger;
  /** A change by someone else to an object a Canary owns: that Canary needs a pass. */
  onOwnerChange: (namespace: string, canary: string) => void;
  onError?: (informer: string) => void;
}

interface KindCache {
  informer: SupervisedInformer<KubeObject> | undefined;
  written: WriteThrough<KubeObject>;
  /** Keys whose next read must go to the API server (a write of ours lost a race on them). Each is consumed by that read, so the set stays small. */
  suspect: Set<string>;
}

/**
 * The objects fledge owns (Services, routes), served from label-selected informers so that a
 * pass converging them costs no read, with this process's own writes layered over each cache.
 *
 * A cache answers only what it knows: an object it does not hold (never labelled, or the informer
 * not synced or failing, or a kind with no CRD) is a MISS, and the caller reads the API server.
 * An informer starts on the first lookup of its kind, so a kind no Canary uses is never listed.
 * After a conflict on an object, its next read bypasses the cache: the cache lost the race.
 */
export class OwnedCache {
  private readonly kinds = new Map<string, KindCache>();
  private readonly opts: OwnedCacheOptions;
  private stopped = false;

  constructor(opts: OwnedCacheOptions) {
    this.opts = opts;
  }

  lookup(ref: ObjectRef): KubeObject | undefined | typeof MISS {
    const kind = this.kind(ref.apiVersion, ref.kind);
    const key = `${ref.namespace}/${ref.name}`;
    // A suspect key is read from the API server once (consumed here), then trusted again.
    if (kind.suspect.delete(key) || !kind.informer?.healthy()) return MISS;
    const obj = kind.written.read(ref.namespace, ref.name, kind.informer.get(ref.name, ref.namespace));
    // Absent from a label-selected cache proves nothing: the object may exist without the label.
    return obj ?? MISS;
  }

  /**
   * The cache is synced and healthy, trusts its copy of `ref` and holds none. Not proof of absence
   * (an object without fledge's label is not cached), hence only a hint for a create-first write.
   */
  likelyAbsent(ref: ObjectRef): boolean {
    const kind = this.kind(ref.apiVersion, ref.kind);
    const key = `${ref.namespace}/${ref.name}`;
    if (kind.suspect.has(key) || !kind.informer?.healthy()) return false;
    return (
      kind.written.read(ref.namespace, ref.name, kind.informer.get(ref.name, ref.namespace)) === undefined
    );
  }

  /**
   * An object as the API server returned it from a write of ours. Only a labelled one is kept: the
   * informer will see it and take over, while an unlabelled copy would be served unconfirmed.
   */
  record(obj: KubeObject): void {
    const kind = this.kind(obj.apiVersion, obj.kind);
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (obj.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY[MANAGED_BY_LABEL]) {
      kind.suspect.add(key);
      return;
    }
    kind.suspect.delete(key);
    kind.written.record(obj);
  }

  /** The cached copy of `ref` is not to be trusted until the API server has been read again. */
  distrust(ref: ObjectRef): void {
    this.kind(ref.apiVersion, ref.kind).suspect.add(`${ref.namespace}/${ref.name}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.kinds.values()].map((k) => k.informer?.stop()));
  }

  private kind(apiVersion: string, kind: string): KindCache {
    const id = `${apiVersion}/${kind}`;
    let entry = this.kinds.get(id);
    if (entry) return entry;
    entry = { informer: undefined, written: new WriteThrough<KubeObject>(), suspect: new Set() };
    this.kinds.set(id, entry);
    if (!this.stopped) void this.start(id, apiVersion, kind, entry);
    return entry;
  }

  private async start(id: string, apiVersion: string, kind: string, entry: KindCache): Promise<void> {
    const { client, namespace, log } = this.opts;
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY[MANAGED_BY_LABEL]}`;
    let path: string;
    try {
      path = await client.collectionPath(apiVersion, kind, namespace);
    } catch (err) {
      // Not served (a CRD not installed): every lookup stays a MISS, and the reads say why.
      log.warn({ informer: id, err }, 'kind not served; its objects are read from the API server');
      return;
    }
    const informer = new SupervisedInformer<KubeObject>({
      name: id,
      kubeConfig: this.opts.kubeConfig,
      path,
      labelSelector: selector,
      list: () =>
        client.list(apiVersion, kind, namespace, selector) as unknown as Promise<
          KubernetesListObject<KubeObject>
        >,
      onChange: (obj, verb) => this.changed(entry, obj, verb),
      log,
      ...(this.opts.onError ? { onError: this.opts.onError } : {}),
    });
    entry.informer = informer;
    if (this.stopped) return;
    await informer.start();
  }

  /** Someone changed an owned object: its Canary converges it again, unless the change was ours. */
  private changed(entry: KindCache, obj: KubeObject, verb: 'add' | 'update' | 'delete'): void {
    const { namespace = '', name, resourceVersion } = obj.metadata;
    if (verb === 'delete') entry.written.deleted(namespace, name, resourceVersion);
    const ours = entry.written.peek(namespace, name);
    if (ours && ours.metadata.resourceVersion === resourceVersion) return;
    for (const owner of obj.metadata.ownerReferences ?? []) {
      if (owner.kind === 'Canary' && owner.apiVersion.startsWith(`${GROUP}/`)) {
        this.opts.onOwnerChange(namespace, owner.name);
      }
    }
  }
}
