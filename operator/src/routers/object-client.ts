// The ObjectClient routers use in the operator, on top of client-node.
//
// Why not KubernetesObjectApi.create/replace as they are: for kinds client-node has a model for
// (Service, Ingress, ...) they serialize the body through that model, which drops every field the
// model does not know (a field newer than the client-node release, an extension), and their reads
// turn timestamps into Date objects. A router that replaces a whole object would then erase what
// other controllers wrote. So this client keeps client-node's discovery, auth and TLS, but sends and
// receives plain JSON: what a router builds is exactly what reaches the API server.
import {
  ApiException,
  HttpMethod,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
  type ResponseContext,
} from '@kubernetes/client-node';
import {
  ConflictError,
  refOf,
  UnservedKindError,
  type KubeObject,
  type ObjectClient,
  type ObjectRef,
} from './kube-object.ts';

const fieldManager = 'fledge';

type Verb = 'read' | 'list' | 'create' | 'replace' | 'delete';
const methods: Record<Verb, HttpMethod> = {
  read: HttpMethod.GET,
  list: HttpMethod.GET,
  create: HttpMethod.POST,
  replace: HttpMethod.PUT,
  delete: HttpMethod.DELETE,
};

class RawObjectApi extends KubernetesObjectApi {
  async send(
    verb: Verb,
    ref: ObjectRef,
    body?: KubeObject,
    query: Record<string, string> = {},
  ): Promise<unknown> {
    const header = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    };
    // A discovery 404 (or a group version without that kind) means the kind is not served, say a
    // CRD is missing: that must not read as "object absent" (404) to the caller.
    const path = await this.specUriPath(header, verb).catch((err: unknown) => {
      if (!isUnserved(err)) throw err;
      throw new UnservedKindError(ref.apiVersion, ref.kind, { cause: err });
    });
    const ctx = this.configuration.baseServer.makeRequestContext(path, methods[verb]);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(query)) ctx.setQueryParam(k, v);
    if (body) {
      ctx.setHeaderParam('Content-Type', 'application/json');
      ctx.setQueryParam('fieldManager', fieldManager);
      ctx.setBody(JSON.stringify(body));
    }
    return this.requestPromise(ctx);
  }

  /** The collection path of a kind (in `namespace`, or all namespaces when empty), as a watch needs it. */
  async collectionPath(apiVersion: string, kind: string, namespace: string): Promise<string> {
    return this.specUriPath({ apiVersion, kind, metadata: { namespace: namespace || undefined } }, 'list');
  }

  // Every response of this client, discovery included, is plain JSON; failures carry the Status
  // text as body (as client-node's own errors do) and its message as the error message.
  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return JSON.parse(text) as T;
    throw new ApiException(response.httpStatusCode, statusText(text), text, response.headers);
  }
}

function statusText(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' ? message : body;
  } catch {
    return body;
  }
}

function code(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** A LIST as plain JSON, its items completed with apiVersion and kind (a List's items omit them). */
export interface ObjectList {
  metadata: { resourceVersion?: string };
  items: KubeObject[];
}

/** An ObjectClient backed by the cluster in `kc`, plus a LIST (for informers of owned objects). */
export interface ListingObjectClient extends ObjectClient {
  list(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<ObjectList>;
  collectionPath(apiVersion: string, kind: string, namespace: string): Promise<string>;
  /** Whether the API server serves the kind (discovery, cached by client-node once found). */
  served(apiVersion: string, kind: string): Promise<boolean>;
}

const isUnserved = (err: unknown) =>
  code(err) === 404 || String(err).includes('Unrecognized API version and kind');

export function kubeObjectClient(kc: KubeConfig): ListingObjectClient {
  const api = kc.makeApiClient(RawObjectApi);
  return {
    collectionPath: (apiVersion, kind, namespace) => api.collectionPath(apiVersion, kind, namespace),
    served: (apiVersion, kind) =>
      api.collectionPath(apiVersion, kind, '').then(
        () => true,
        (err: unknown) => {
          if (isUnserved(err)) return false;
          throw err;
        },
      ),
    async list(apiVersion, kind, namespace, labelSelector) {
      const ref = { apiVersion, kind, namespace, name: '' };
      const list = (await api.send('list', ref, undefined, { labelSelector })) as ObjectList;
      for (const item of list.items) Object.assign(item, { apiVersion, kind });
      return list;
    },
    async get(ref) {
      try {
        return (await api.send('read', ref)) as KubeObject;
      } catch (err) {
        if (code(err) === 404) return undefined;
        throw err;
      }
    },
    async create(obj) {
      try {
        return (await api.send('create', refOf(obj), obj)) as KubeObject;
      } catch (err) {
        if (code(err) === 409) throw new ConflictError(refOf(obj), { cause: err });
        throw err;
      }
    },
    async replace(obj) {
      // Without a resourceVersion the API server would overwrite blindly: never do that.
      if (!obj.metadata.resourceVersion)
        throw new Error(`${obj.kind} ${obj.metadata.name}: replace needs a resourceVersion`);
      try {
        return (await api.send('replace', refOf(obj), obj)) as KubeObject;
      } catch (err) {
        if (code(err) === 409) throw new ConflictError(refOf(obj), { cause: err });
        throw err;
      }
    },
    async delete(ref) {
      try {
        await api.send('delete', ref);
      } catch (err) {
        if (code(err) !== 404) throw err;
      }
    },
  };
}
