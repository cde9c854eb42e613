// Stands in for axios where prometheus-query imports it (see lean-prometheus-query.ts): the part of
// axios's API prometheus-query calls (create, interceptors, request), on Node's own http module.
// axios brings a second HTTP stack (follow-redirects, form-data, proxy-from-env and its adapters):
// about 20 MB of the operator's resident memory for one GET per check.
//
// What prometheus-query and analysis/src/prometheus.ts read of axios's answers, and get here too:
// - a response `{ data, status, statusText, headers, config }`, `data` parsed when it is JSON and
//   the text otherwise (axios's silent JSON parsing);
// - a status outside 2xx rejects with an error carrying `isAxiosError` and that `response`;
// - no answer within `timeout` ms rejects with code ECONNABORTED (prometheus-query's timeout_error),
//   a connection failure with the socket's code (ECONNREFUSED, ...).
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { cliVersion } from '../package-root.ts';

// Who queries, in Prometheus's query log and a proxy's access log.
const userAgent = `fledge/${cliVersion()} (node ${process.versions.node})`;

export interface RequestConfig {
  baseURL?: string;
  url?: string;
  method?: string;
  params?: URLSearchParams | Record<string, string> | null;
  data?: URLSearchParams | string | null;
  headers?: Record<string, string>;
  auth?: { username: string; password: string } | null;
  proxy?: unknown;
  timeout?: number;
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  [other: string]: unknown;
}

export interface Response {
  data: unknown;
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  config: RequestConfig;
}

export class AxiosError extends Error {
  readonly isAxiosError = true;
  readonly code: string | undefined;
  readonly config: RequestConfig;
  response: Response | undefined;
  constructor(message: string, code: string | undefined, config: RequestConfig, response?: Response) {
    super(message);
    this.name = 'AxiosError';
    this.code = code;
    this.config = config;
    this.response = response;
  }
}

type Fulfilled<T> = ((value: T) => T | Promise<T>) | undefined;
type Rejected = ((error: unknown) => unknown) | undefined;

class Interceptors<T> {
  readonly handlers: { fulfilled: Fulfilled<T>; rejected: Rejected }[] = [];
  use(fulfilled?: Fulfilled<T>, rejected?: Rejected): number {
    this.handlers.push({ fulfilled, rejected });
    return this.handlers.length - 1;
  }
}

function urlOf(config: RequestConfig): URL {
  const base = config.baseURL ?? '';
  const path = config.url ?? '';
  const url = new URL(
    /^https?:\/\//.test(path) ? path : base.replace(/\/$/, '') + '/' + path.replace(/^\//, ''),
  );
  const params =
    config.params instanceof URLSearchParams ? config.params : new URLSearchParams(config.params ?? {});
  for (const [k, v] of params) url.searchParams.append(k, v);
  return url;
}

// Sockets of a closed keep-alive connection are not reused across checks: one Agent each for http
// and https with keep-alive, as axios's default adapter uses Node's global agents.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function send(config: RequestConfig): Promise<Response> {
  if (config.proxy)
    return Promise.reject(new AxiosError('proxies are not supported', 'ERR_NOT_SUPPORT', config));
  const url = urlOf(config);
  const method = (config.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {
    Accept: 'application/json, text/plain, */*',
    'User-Agent': userAgent,
    ...config.headers,
  };
  let body: string | undefined;
  if (method !== 'GET' && config.data != null) {
    body = String(config.data);
    if (config.data instanceof URLSearchParams)
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  if (config.auth) {
    headers['Authorization'] =
      `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64')}`;
  }
  const secure = url.protocol === 'https:';
  const agent = secure ? (config.httpsAgent ?? agents.https) : (config.httpAgent ?? agents.http);
  return new Promise<Response>((resolve, reject) => {
    const request = (secure ? https : http).request(
      url,
      { method, headers, agent },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err: NodeJS.ErrnoException) =>
          reject(new AxiosError(err.message, err.code, config)),
        );
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let data: unknown = text;
          try {
            data = text === '' ? text : JSON.parse(text);
          } catch {
            // not JSON: the text, as axios leaves it
          }
          const status = res.statusCode ?? 0;
          const response: Response = {
            data,
            status,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            config,
          };
          if (status >= 200 && status < 300) resolve(response);
          else
            reject(
              new AxiosError(
                `Request failed with status code ${status}`,
                'ERR_BAD_RESPONSE',
                config,
                response,
              ),
            );
        });
      },
    );
    // A deadline for the whole exchange: a server that accepts and then says nothing is a timeout.
    const timer =
      config.timeout && config.timeout > 0
        ? setTimeout(() => {
            request.destroy(
              Object.assign(new Error(`timeout of ${config.timeout}ms exceeded`), { code: 'ECONNABORTED' }),
            );
          }, config.timeout)
        : undefined;
    request.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new AxiosError(err.message, err.code, config));
    });
    request.end(body);
  });
}

export interface Instance {
  interceptors: { request: Interceptors<RequestConfig>; response: Interceptors<Response> };
  request(config: RequestConfig): Promise<Response>;
}

export function create(): Instance {
  const interceptors = { request: new Interceptors<RequestConfig>(), response: new Interceptors<Response>() };
  return {
    interceptors,
    async request(initial: RequestConfig): Promise<Response> {
      let config = initial;
      for (const h of interceptors.request.handlers) if (h.fulfilled) config = await h.fulfilled(config);
      let outcome: Promise<Response> = send(config);
      for (const h of interceptors.response.handlers) {
        outcome = outcome.then(h.fulfilled, h.rejected) as Promise<Response>;
      }
      return outcome;
    },
  };
}

export default { create };
