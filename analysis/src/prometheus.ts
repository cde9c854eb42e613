import { Agent } from 'node:https';
import { PrometheusDriver, type InstantVector, type QueryResult } from 'prometheus-query';
import {
  ConfigError,
  InvalidValueError,
  MultipleValuesError,
  NoValuesError,
  ProviderError,
  type ProviderErrorKind,
} from './errors.ts';
import type { MetricProvider } from './provider.ts';

export interface PrometheusProviderOptions {
  /** http(s) URL of the Prometheus API root, e.g. http://prometheus.monitoring:9090 */
  address: string;
  headers?: Readonly<Record<string, string>> | undefined;
  bearerToken?: string | undefined;
  basicAuth?: { username: string; password: string } | undefined;
  /** Skips TLS certificate verification, as MetricTemplate's provider.insecureSkipVerify. */
  insecureSkipVerify?: boolean | undefined;
  /** Per request; also sent to Prometheus as the query's evaluation timeout. */
  timeoutMs: number;
}

/** The shape prometheus-query rejects with (it throws plain objects, not Errors). */
interface DriverFailure {
  errorType?: unknown;
  error?: unknown;
  httpStatus?: unknown;
  code?: unknown;
  original?: unknown;
}

/**
 * A MetricProvider over Prometheus' instant query API. Credentials are only ever handed to the
 * HTTP client: no message or cause this provider creates holds them (the client's own errors
 * carry the request configuration, headers included, so they are never passed on as causes).
 */
export function createPrometheusProvider(options: PrometheusProviderOptions): MetricProvider {
  const address = checkAddress(options.address);
  if (options.bearerToken !== undefined && options.basicAuth !== undefined) {
    throw new ConfigError('prometheus provider: set a bearer token or basic auth, not both');
  }
  const secrets = secretsOf(options);
  const headers = Object.fromEntries(
    Object.entries(options.headers ?? {}).filter(
      ([name]) => options.bearerToken === undefined || name.toLowerCase() !== 'authorization',
    ),
  );
  if (options.bearerToken !== undefined) headers['Authorization'] = `Bearer ${options.bearerToken}`;
  const insecure = options.insecureSkipVerify ? new Agent({ rejectUnauthorized: false }) : undefined;

  const driver = new PrometheusDriver({
    endpoint: address,
    baseURL: '/api/v1/',
    headers,
    auth: options.basicAuth,
    timeout: options.timeoutMs,
    requestInterceptor: {
      onFulfilled: (config) => {
        if (insecure) config.httpsAgent = insecure;
        return config;
      },
    },
    responseInterceptor: {
      onFulfilled: (response) => {
        spellInfinities(response.data);
        return response;
      },
      onRejected: (error: unknown) => {
        describeNonApiAnswer(error);
        throw error;
      },
    },
  });

  const fail = (
    detail: string,
    kind: ProviderErrorKind,
    extra: { httpStatus?: number; code?: string } = {},
  ) => {
    const clean = redact(detail, secrets);
    const cause = Object.assign(new Error(clean), extra.code === undefined ? {} : { code: extra.code });
    return new ProviderError(`prometheus ${address}: ${clean}`, {
      kind,
      httpStatus: extra.httpStatus,
      cause,
    });
  };

  return {
    async query(query: string, at: Date): Promise<number> {
      let result: QueryResult;
      try {
        result = await driver.instantQuery(query, at, `${Math.max(1, Math.round(options.timeoutMs))}ms`);
      } catch (err) {
        throw toProviderError(err, options.timeoutMs, fail);
      }
      return singleValue(result);
    },
  };
}

function toProviderError(
  err: unknown,
  timeoutMs: number,
  fail: (
    detail: string,
    kind: ProviderErrorKind,
    extra?: { httpStatus?: number; code?: string },
  ) => ProviderError,
): ProviderError {
  if (err instanceof Error) return fail(`unreadable answer: ${err.message}`, 'response');
  let f: DriverFailure = typeof err === 'object' && err !== null ? err : {};
  // prometheus-query's own catch re-wraps the failure it throws for a 200 that is not the API's
  // JSON into a "network_error"; the original tells what happened.
  const original = f.original as DriverFailure | undefined;
  if (f.errorType === 'network_error' && original?.errorType === 'client_error') f = original;
  const detail = typeof f.error === 'string' ? f.error : 'unknown error';
  const code = typeof f.code === 'string' ? f.code : undefined;
  switch (f.errorType) {
    case 'timeout_error':
      return fail(`no answer within ${timeoutMs} ms`, 'timeout', { ...(code ? { code } : {}) });
    case 'network_error':
    case 'ssl_error':
      return fail(`unreachable: ${detail}`, 'network', { ...(code ? { code } : {}) });
    case 'http_error': {
      const status = typeof f.httpStatus === 'number' ? f.httpStatus : undefined;
      return fail(
        `HTTP ${status ?? '?'}: ${detail}`,
        'http',
        status === undefined ? {} : { httpStatus: status },
      );
    }
    default:
      return fail('the answer is not a Prometheus API response', 'response');
  }
}

function singleValue(result: QueryResult): number {
  let value: number;
  if (result.resultType === 'vector') {
    const samples = result.result as InstantVector[];
    if (samples.length === 0) throw new NoValuesError();
    if (samples.length > 1) throw new MultipleValuesError(samples.map(labelsOf));
    value = (samples[0] as InstantVector).value.value as number;
  } else if (result.resultType === 'scalar') {
    const sample: unknown = result.result;
    value = Array.isArray(sample) ? parseSample(sample[1]) : NaN;
  } else {
    const hint = result.resultType === 'matrix' ? ': drop the [range] selector, or wrap it in rate()' : '';
    throw new ConfigError(
      `query must return an instant vector or a scalar, got a ${result.resultType}${hint}`,
    );
  }
  if (!Number.isFinite(value)) throw new InvalidValueError(value);
  return value;
}

function labelsOf(sample: InstantVector): Record<string, string> {
  const labels = { ...(sample.metric.labels as Record<string, string>) };
  return sample.metric.name ? { __name__: sample.metric.name, ...labels } : labels;
}

function parseSample(raw: unknown): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return typeof raw === 'string' ? Number(raw) : NaN;
}

// Prometheus spells infinities "+Inf"/"-Inf"; prometheus-query parses values with parseFloat,
// which reads those as NaN. JavaScript's spelling keeps +Inf an infinity.
function spellInfinities(body: unknown): void {
  const data = (body as { data?: { resultType?: unknown; result?: unknown } } | null)?.data;
  if (data?.resultType !== 'vector' || !Array.isArray(data.result)) return;
  for (const sample of data.result as Array<{ value?: unknown }>) {
    if (!Array.isArray(sample.value)) continue;
    if (sample.value[1] === '+Inf') sample.value[1] = 'Infinity';
    if (sample.value[1] === '-Inf') sample.value[1] = '-Infinity';
  }
}

// A proxy in front of Prometheus (auth, ingress) answers errors with HTML or text; prometheus-query
// then reports only "unexpected client error". Giving such answers an API-shaped body keeps the
// HTTP status in the error the user sees. The body itself is not echoed: it may be anything.
function describeNonApiAnswer(error: unknown): void {
  const response = (error as { response?: { status?: unknown; statusText?: unknown; data?: unknown } } | null)
    ?.response;
  if (!response) return;
  const data = response.data as { status?: unknown } | null | undefined;
  if (typeof data === 'object' && data !== null && typeof data.status === 'string') return;
  const text = typeof response.statusText === 'string' ? response.statusText : '';
  response.data = { status: 'error', error: text || 'the answer is not a Prometheus API response' };
}

function checkAddress(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new ConfigError(`prometheus provider: address "${address}" is not a URL`);
  }
  if (url.username || url.password) {
    throw new ConfigError('prometheus provider: the address must not hold credentials; use secretRef');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`prometheus provider: address "${address}" is not http(s)`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function secretsOf(options: PrometheusProviderOptions): string[] {
  const { bearerToken, basicAuth } = options;
  // A one- or two-letter username would blank out ordinary words; it is the least secret part.
  const username = basicAuth && basicAuth.username.length >= 3 ? basicAuth.username : undefined;
  const all = [bearerToken, username, basicAuth?.password];
  if (basicAuth) all.push(Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString('base64'));
  // Longest first, so a secret containing another is replaced whole.
  return all
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .sort((a, b) => b.length - a.length);
}

// Defence in depth: a server or proxy that echoes the request (headers included) into its error
// must not put a credential into a status message or a log line.
function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);
}
