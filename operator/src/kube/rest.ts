// Types only: client-node's index loads every generated model and API class (about 45 MB of the
// operator's resident memory, see docs/decisions/0009-lean-client.md).
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest, readText } from './http.ts';

export type Query = Record<string, string | number | boolean | undefined>;

/** A failed API request: `code` is the HTTP status (as client-node's ApiException has it), `body` the Status text. */
export class KubeApiError extends Error {
  readonly code: number;
  readonly body: string;
  constructor(code: number, body: string, method: string, path: string) {
    super(`${method} ${path}: HTTP ${code}: ${statusMessage(body)}`);
    this.name = 'KubeApiError';
    this.code = code;
    this.body = body;
  }
}

function statusMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' ? message : body.slice(0, 500);
  } catch {
    return body.slice(0, 500);
  }
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

/**
 * Plain JSON requests to the API server of a KubeConfig: its authentication, TLS and (for a
 * BoundedKubeConfig) deadline, rate limit and shared connections, without client-node's generated
 * API classes. Those load a model class for every kind the API server has and turn every response
 * into model instances (timestamps as Date objects); fledge reads and writes JSON as the API
 * server sends it, so what it builds is exactly what reaches the server.
 */
export class KubeRest {
  private readonly kc: KubeConfig;

  /** `kc` may be a view that sets its own Accept header (metadataOnly). */
  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    opts: { query?: Query; body?: unknown; contentType?: string } = {},
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const query = params.size > 0 ? `?${params}` : '';
    const headers: Record<string, string> = { Accept: 'application/json' };
    const body = opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
    if (body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const { response, sentAt } = await kubeRequest(this.kc, {
      method,
      path: path + query,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await readText(response);
    const status = response.statusCode ?? 0;
    (this.kc as { observeRequest?: (m: string, s: number) => void }).observeRequest?.(
      method,
      (performance.now() - sentAt) / 1000,
    );
    if (status < 200 || status > 299) throw new KubeApiError(status, text, method, path);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      // A proxy's error page with a 2xx status, say: name the request rather than the parser.
      throw new Error(`${method} ${path}: HTTP ${status} with a body that is not JSON`, {
        cause: err,
      });
    }
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query ? { query } : {});
  }

  create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body, query: { fieldManager: 'fledge' } });
  }

  replace<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body, query: { fieldManager: 'fledge' } });
  }

  patch<T>(path: string, body: unknown, contentType: string): Promise<T> {
    return this.request<T>('PATCH', path, { body, contentType, query: { fieldManager: 'fledge' } });
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }
}

export interface ResourceRef {
  /** Empty for the core group. */
  group: string;
  version: string;
  plural: string;
  /** Empty or undefined: across all namespaces (or a cluster-scoped kind). */
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

/** The REST path of a collection, an object or an object's subresource. */
export function resourcePath(r: ResourceRef): string {
  const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespace ? `/namespaces/${encodeURIComponent(r.namespace)}` : '';
  const name = r.name ? `/${encodeURIComponent(r.name)}` : '';
  const sub = r.name && r.subresource ? `/${r.subresource}` : '';
  return `${root}${ns}/${r.plural}${name}${sub}`;
}
