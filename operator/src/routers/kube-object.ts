// The narrow view of the Kubernetes API that routers need. Routers never see client-node: they get
// an ObjectClient (client-node-backed in object-client.ts, in-memory in the unit tests), so what a
// router writes can be asserted object by object.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

/** Any object as the API server returns it: fields a router does not know are carried, never dropped. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ObjectClient {
  /** The live object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Throws ConflictError when an object of that name already exists. */
  create(obj: KubeObject): Promise<KubeObject>;
  /** Needs metadata.resourceVersion; throws ConflictError when the object changed since it was read. */
  replace(obj: KubeObject): Promise<KubeObject>;
  /** Deleting an absent object is not an error. */
  delete(ref: ObjectRef): Promise<void>;
  /**
   * True when a synced cache of the objects this operator writes does not hold `ref`: most likely
   * absent, so a create (which fails with ConflictError if not) is cheaper than a read first.
   * Only a hint: "absent" is never concluded from it.
   */
  likelyAbsent?(ref: ObjectRef): boolean;
}

/**
 * An ObjectClient's signal that the write raced another writer (HTTP 409: AlreadyExists on create,
 * a stale resourceVersion on replace). Routers answer it by reading again, never by forcing.
 */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly ref: ObjectRef;
  constructor(ref: ObjectRef, options?: { cause?: unknown }) {
    super(`${describeRef(ref)}: conflict`, options);
    this.ref = ref;
  }
}

/** The API server does not serve the kind at all (its CRD is not installed): not the same as an absent object. */
export class UnservedKindError extends Error {
  override readonly name = 'UnservedKindError';
  constructor(apiVersion: string, kind: string, options?: { cause?: unknown }) {
    super(`${apiVersion} ${kind} is not served by the API server`, options);
  }
}

export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
  };
}

/** `HTTPRoute shop/checkout`: how every router error names the object. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}
