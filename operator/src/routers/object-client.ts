// The ObjectClient routers use in the operator: plain JSON over the KubeConfig's connection
// (kube/rest.ts), with the REST path of each kind from discovery. What a router builds is exactly
// what reaches the API server: no generated model in between drops a field it does not know (one
// newer than the client release, an extension), so replacing a whole object never erases what
// other controllers wrote.
import type { KubeConfig } from '@kubernetes/client-node';
import { Discovery, UnrecognizedKindError } from '../kube/discovery.ts';
import { httpStatus } from '../kube/errors.ts';
import { KubeRest } from '../kube/rest.ts';
import {
  ConflictError,
  refOf,
  UnservedKindError,
  type KubeObject,
  type ObjectClient,
  type ObjectRef,
} from './kube-object.ts';

/** A LIST as plain JSON, its items completed with apiVersion and kind (a List's items omit them). */
export interface ObjectList {
  metadata: { resourceVersion?: string };
  items: KubeObject[];
}

/** An ObjectClient backed by the cluster in `kc`, plus a LIST (for informers of owned objects). */
export interface ListingObjectClient extends ObjectClient {
  list(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<ObjectList>;
  collectionPath(apiVersion: string, kind: string, namespace: string): Promise<string>;
  /** Whether the API server serves the kind (discovery, kept once found). */
  served(apiVersion: string, kind: string): Promise<boolean>;
}

export function kubeObjectClient(kc: KubeConfig): ListingObjectClient {
  const rest = new KubeRest(kc);
  const discovery = new Discovery(rest);
  // A kind not served (say a CRD is missing) must not read as "object absent" (404) to the caller.
  const path = (ref: ObjectRef, name?: string) =>
    discovery.path(ref.apiVersion, ref.kind, ref.namespace, name).catch((err: unknown) => {
      if (err instanceof UnrecognizedKindError)
        throw new UnservedKindError(ref.apiVersion, ref.kind, { cause: err });
      throw err;
    });
  const collectionPath = (apiVersion: string, kind: string, namespace: string) =>
    path({ apiVersion, kind, namespace, name: '' });
  return {
    collectionPath,
    served: (apiVersion, kind) =>
      collectionPath(apiVersion, kind, '').then(
        () => true,
        (err: unknown) => {
          if (err instanceof UnservedKindError) return false;
          throw err;
        },
      ),
    async list(apiVersion, kind, namespace, labelSelector) {
      const list = await rest.get<ObjectList>(await collectionPath(apiVersion, kind, namespace), {
        labelSelector,
      });
      for (const item of list.items) Object.assign(item, { apiVersion, kind });
      return list;
    },
    async get(ref) {
      try {
        return await rest.get<KubeObject>(await path(ref, ref.name));
      } catch (err) {
        if (httpStatus(err) === 404) return undefined;
        throw err;
      }
    },
    async create(obj) {
      const ref = refOf(obj);
      try {
        return await rest.create<KubeObject>(await path(ref), obj);
      } catch (err) {
        if (httpStatus(err) === 409) throw new ConflictError(ref, { cause: err });
        throw err;
      }
    },
    async replace(obj) {
      // Without a resourceVersion the API server would overwrite blindly: never do that.
      if (!obj.metadata.resourceVersion)
        throw new Error(`${obj.kind} ${obj.metadata.name}: replace needs a resourceVersion`);
      const ref = refOf(obj);
      try {
        return await rest.replace<KubeObject>(await path(ref, ref.name), obj);
      } catch (err) {
        if (httpStatus(err) === 409) throw new ConflictError(ref, { cause: err });
        throw err;
      }
    },
    async delete(ref) {
      try {
        await rest.delete(await path(ref, ref.name));
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
      }
    },
  };
}
