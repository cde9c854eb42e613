// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// What the router asks of a routing source (an HTTPRoute, an ingress-nginx canary Ingress): given a
// request, which backend Service answers it. Pure types and helpers.
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestInfo {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type RouteDecision =
  | {
      /** The backend Service that answers. */
      service: string;
      /** Services that receive a copy whose answer is dropped (Gateway API RequestMirror). */
      mirrors: string[];
      /** ingress-nginx only: the canary upstream name when the canary Ingress took the request. */
      canaryUpstream?: string;
      /** Gateway API ResponseHeaderModifier filters of the rule and the chosen backend, in order. */
      responseHeaders?: HeaderEdit[];
    }
  | { status: number; reason: string };

/** One Gateway API HTTPHeaderFilter: remove, then set (replace), then add (append). */
export interface HeaderEdit {
  add?: Array<{ name: string; value: string }>;
  set?: Array<{ name: string; value: string }>;
  remove?: string[];
}

/** The answer's headers after the edits, header names lower-cased as Node gives them. */
export function editHeaders(headers: IncomingHttpHeaders, edits: readonly HeaderEdit[]): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  const list = (v: string | string[] | undefined): string[] =>
    v === undefined ? [] : Array.isArray(v) ? v : [v];
  for (const e of edits) {
    for (const name of e.remove ?? []) delete out[name.toLowerCase()];
    for (const h of e.set ?? []) out[h.name.toLowerCase()] = h.value;
    for (const h of e.add ?? []) {
      const name = h.name.toLowerCase();
      out[name] = [...list(out[name]), h.value];
    }
  }
  return out;
}

export interface RoutingPolicy {
  /** Where the rules came from, e.g. "HTTPRoute demo/web resourceVersion 1234". */
  source: string;
  /** Weights of the weighted rule(s), by Service, for reports. */
  weights: Array<Record<string, number>>;
  decide(req: RequestInfo): RouteDecision;
}

/** A header's value as one string (repeated headers joined with ", "), or undefined. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The value of cookie `name` in the Cookie header, or undefined. */
export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headerValue(headers, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A regular expression, or undefined when the pattern is not one JavaScript can compile. */
export function compile(pattern: string, anchored: boolean): RegExp | undefined {
  try {
    return new RegExp(anchored ? `^(?:${pattern})$` : pattern);
  } catch {
    return undefined;
  }
}

export function requestInfo(
  method: string | undefined,
  url: string | undefined,
  headers: IncomingHttpHeaders,
): RequestInfo {
  const parsed = new URL(url ?? '/', 'http://127.0.0.1');
  return {
    method: (method ?? 'GET').toUpperCase(),
    path: parsed.pathname,
    query: parsed.searchParams,
    headers,
  };
}
