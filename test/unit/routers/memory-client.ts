// A tiny in-memory ObjectClient for router unit tests: resourceVersions, 409 on stale writes, and a
// log of every write so tests can assert that an equal object is not written again.
import {
  ConflictError,
  refOf,
  type KubeObject,
  type ObjectClient,
  type ObjectRef,
} from '../../../operator/src/routers/kube-object.ts';

export interface Write {
  verb: 'create' | 'replace' | 'delete';
  ref: ObjectRef;
}

function key(ref: ObjectRef): string {
  // The group names the resource; two versions of one group share objects, as on a real server.
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${group}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

export class MemoryClient implements ObjectClient {
  readonly writes: Write[] = [];
  readonly #objects = new Map<string, KubeObject>();
  #version = 0;
  /** Runs after every get; tests use it to change an object between a router's read and write. */
  afterGet: ((ref: ObjectRef) => void) | undefined;

  /** Stores an object as if another party created it (not counted as a write). */
  seed(obj: KubeObject): KubeObject {
    const stored = this.#stamp(obj);
    this.#objects.set(key(refOf(obj)), stored);
    return structuredClone(stored);
  }

  /** The stored object, for assertions. */
  peek(ref: ObjectRef): KubeObject | undefined {
    const obj = this.#objects.get(key(ref));
    return obj && structuredClone(obj);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const obj = this.#objects.get(key(ref));
    const copy = obj && { ...structuredClone(obj), apiVersion: ref.apiVersion };
    this.afterGet?.(ref);
    return copy;
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const ref = refOf(obj);
    if (this.#objects.has(key(ref))) throw new ConflictError(ref);
    this.writes.push({ verb: 'create', ref });
    return this.seed(obj);
  }

  async replace(obj: KubeObject): Promise<KubeObject> {
    const ref = refOf(obj);
    const live = this.#objects.get(key(ref));
    if (!live) throw new Error(`${ref.kind} ${ref.name}: not found`);
    if (live.metadata.resourceVersion !== obj.metadata.resourceVersion) throw new ConflictError(ref);
    this.writes.push({ verb: 'replace', ref });
    return this.seed({ ...obj, metadata: { ...obj.metadata, uid: live.metadata.uid } });
  }

  async delete(ref: ObjectRef): Promise<void> {
    if (this.#objects.delete(key(ref))) this.writes.push({ verb: 'delete', ref });
  }

  #stamp(obj: KubeObject): KubeObject {
    // Through JSON, like a real round trip: undefined fields disappear.
    const copy = JSON.parse(JSON.stringify(obj)) as KubeObject;
    this.#version += 1;
    copy.metadata.resourceVersion = String(this.#version);
    copy.metadata.uid ??= `uid-${this.#version}`;
    return copy;
  }
}
