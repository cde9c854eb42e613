import { KubeApiError, type KubeRest } from './rest.ts';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** The kind is not served by the API server (its group version or the kind in it is missing). */
export class UnrecognizedKindError extends Error {
  constructor(apiVersion: string, kind: string, options?: ErrorOptions) {
    super(`Unrecognized API version and kind: ${apiVersion} ${kind}`, options);
    this.name = 'UnrecognizedKindError';
  }
}

/**
 * The REST paths of kinds, from the API server's discovery of each group version. A group
 * version's resource list is kept once it has the kind asked for; a kind not in it (a CRD
 * installed after start-up) asks again next time, so it is found as soon as it is served.
 */
export class Discovery {
  private readonly rest: KubeRest;
  private readonly lists = new Map<string, Promise<ApiResource[]>>();

  constructor(rest: KubeRest) {
    this.rest = rest;
  }

  /** The collection path of a kind (in `namespace`, or all namespaces when empty), or an object's path with `name`. */
  async path(apiVersion: string, kind: string, namespace: string, name?: string): Promise<string> {
    const resource = await this.resource(apiVersion, kind);
    const parts = [groupVersionPath(apiVersion)];
    if (resource.namespaced && namespace) parts.push('namespaces', encodeURIComponent(namespace));
    parts.push(resource.name);
    if (name !== undefined) parts.push(encodeURIComponent(name));
    return parts.join('/');
  }

  private async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    const cached = this.lists.get(apiVersion);
    const found = cached && (await cached.catch(() => undefined))?.find((r) => r.kind === kind);
    if (found) return found;
    const list = this.rest
      .get<{ resources?: ApiResource[] }>(groupVersionPath(apiVersion))
      .then((l) => (l.resources ?? []).filter((r) => !r.name.includes('/')));
    this.lists.set(apiVersion, list);
    let resources: ApiResource[];
    try {
      resources = await list;
    } catch (err) {
      if (this.lists.get(apiVersion) === list) this.lists.delete(apiVersion);
      if (err instanceof KubeApiError && err.code === 404)
        throw new UnrecognizedKindError(apiVersion, kind, { cause: err });
      throw err;
    }
    const resource = resources.find((r) => r.kind === kind);
    if (!resource) throw new UnrecognizedKindError(apiVersion, kind);
    return resource;
  }
}

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}
