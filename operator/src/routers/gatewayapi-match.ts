// Flagger/Istio-style A/B matches translated to Gateway API HTTPRouteMatches. Pure.
//
// Gateway API has only Exact and RegularExpression for headers and query parameters, so prefix and
// suffix become anchored regular expressions over the escaped literal (Flagger refuses them). Every
// field the API server would default (path, match types) is written out, so that the object read
// back from a cluster with the real Gateway API CRDs equals what we built and no write follows.
import { InvalidRoutingError } from './errors.ts';
import type { HttpMatch, StringMatch } from './router.ts';
import { affixRegex, stringMatchOp } from './string-match.ts';

export interface HTTPPathMatch {
  type: 'Exact' | 'PathPrefix' | 'RegularExpression';
  value: string;
}

export interface HTTPValueMatch {
  type: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  path?: HTTPPathMatch;
  headers?: HTTPValueMatch[];
  queryParams?: HTTPValueMatch[];
  method?: string;
}

/** What the API server defaults an absent match to: every path. A fresh object each call. */
export function matchEverything(): HTTPRouteMatch {
  return { path: { type: 'PathPrefix', value: '/' } };
}

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

function valueMatch(object: string, what: string, name: string, m: StringMatch): HTTPValueMatch {
  const { op, value } = stringMatchOp(object, `${what} ${name}`, m);
  switch (op) {
    case 'exact':
      return { type: 'Exact', name, value };
    case 'regex':
      return { type: 'RegularExpression', name, value };
    case 'prefix':
    case 'suffix':
      return { type: 'RegularExpression', name, value: affixRegex(op, value) };
  }
}

function pathMatch(object: string, m: StringMatch): HTTPPathMatch {
  const { op, value } = stringMatchOp(object, 'uri', m);
  switch (op) {
    case 'exact':
      return { type: 'Exact', value };
    case 'prefix':
      return { type: 'PathPrefix', value };
    case 'regex':
      return { type: 'RegularExpression', value };
    case 'suffix':
      return { type: 'RegularExpression', value: affixRegex(op, value) };
  }
}

function methodMatch(object: string, m: StringMatch): string {
  const { op, value } = stringMatchOp(object, 'method', m);
  const method = value.toUpperCase();
  if (op !== 'exact' || !methods.has(method)) {
    throw new InvalidRoutingError(
      object,
      `method: Gateway API matches one exact HTTP method, got ${op} "${value}"`,
    );
  }
  return method;
}

// Sorted by name: the source is a map, and a stable order keeps equal routes equal.
function valueMatches(
  object: string,
  what: string,
  entries: Record<string, StringMatch> | undefined,
): HTTPValueMatch[] | undefined {
  const names = Object.keys(entries ?? {}).sort();
  if (names.length === 0) return undefined;
  return names.map((name) => valueMatch(object, what, name, entries?.[name] ?? {}));
}

/** One HTTPRouteMatch per A/B condition; a condition without a uri matches every path. */
export function toRouteMatches(object: string, matches: HttpMatch[]): HTTPRouteMatch[] {
  return matches.map((m, i) => {
    const out: HTTPRouteMatch = {
      path: m.uri ? pathMatch(object, m.uri) : { type: 'PathPrefix', value: '/' },
    };
    const headers = valueMatches(object, 'header', m.headers);
    const queryParams = valueMatches(object, 'query parameter', m.queryParams);
    if (headers) out.headers = headers;
    if (queryParams) out.queryParams = queryParams;
    if (m.method) out.method = methodMatch(object, m.method);
    if (!headers && !queryParams && !m.method && !m.uri) {
      throw new InvalidRoutingError(
        object,
        `match ${i}: an empty match would send every request to the canary`,
      );
    }
    return out;
  });
}
