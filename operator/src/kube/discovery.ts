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
  private readonly rest: Pick<KubeRest, 'get'>;
  /** The last resource list each group version answered with. */
  private readonly lists = new Map<string, ApiResource[]>();
  /** A discovery request in flight per group version, shared by concurrent lookups. */
  private readonly inFlight = new Map<string, Promise<ApiResource[]>>();

  constructor(rest: Pick<KubeRest, 'get'>) {
    this.rest = rest;
  }

  /** The collection path of a kind (in `namespace`, or all namespaces when empty), or an object's path with `name`. */
  async path(apiVersion: string, kind: string, namespace: string, name?: string): Promise<string> {
    const resource = await this.resource(apiVersion, kind);
    if (resource.namespaced && !namespace && name !== undefined)
      throw new Error(`${apiVersion} ${kind} ${name}: a namespaced kind needs a namespace`);
    const parts = [groupVersionPath(apiVersion)];
    if (resource.namespaced && namespace) parts.push('namespaces', encodeURIComponent(namespace));
    parts.push(resource.name);
    if (name !== undefined) parts.push(encodeURIComponent(name));
    return parts.join('/');
  }

  private async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    const known = this.lists.get(apiVersion)?.find((r) => r.kind === kind);
    if (known) return known;
    let fetching = this.inFlight.get(apiVersion);
    if (!fetching) {
      fetching = this.rest
        .get<{ resources?: ApiResource[] }>(groupVersionPath(apiVersion))
        .then((l) => (l.resources ?? []).filter((r) => !r.name.includes('/')));
      this.inFlight.set(apiVersion, fetching);
      // Only an answer replaces the list: a failed request leaves the kinds already known usable.
      fetching.then(
        (list) => this.lists.set(apiVersion, list),
        () => {},
      );
      void fetching.finally(() => this.inFlight.delete(apiVersion)).catch(() => {});
    }
    let resources: ApiResource[];
    try {
      resources = await fetching;
    } catch (err) {
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
