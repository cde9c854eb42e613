// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// A Gateway API HTTPRoute read the way a conforming implementation reads it, independently of
// fledge's own router code (so this checks fledge rather than repeating it). Pure.
// - Matches: path (Exact, PathPrefix by whole segments, RegularExpression), headers and query
//   parameters (Exact, RegularExpression), method. Regular expressions must match the whole value
//   (Envoy's semantics). A match's conditions are ANDed, a rule's matches ORed.
// - When several rules match, the spec's precedence picks one: an Exact path, then the longest
//   prefix, then a method, then the most header matches, then the most query matches, then the
//   first rule.
// - backendRefs: weight defaults to 1; a request goes to a backend with probability weight/sum.
//   A backend that is not a Service in the route's namespace, or one the data plane does not serve,
//   answers 500, as do rules whose weights are all 0. No matching rule answers 404.
// - A RequestMirror filter sends a copy to its Service; ResponseHeaderModifier filters of the rule,
//   then of the chosen backendRef, edit the answer's headers. hostnames and parentRefs are not checked
//   (the data plane is the only gateway and the load generator sends no Host to match).
import {
  compile,
  headerValue,
  type HeaderEdit,
  type RequestInfo,
  type RoutingPolicy,
  type RouteDecision,
} from './routing.ts';
import type { Picker } from './weighted.ts';

interface ValueMatchLike {
  type?: string;
  name?: string;
  value?: string;
}
interface MatchLike {
  path?: { type?: string; value?: string };
  headers?: ValueMatchLike[];
  queryParams?: ValueMatchLike[];
  method?: string;
}
interface FilterLike {
  type?: string;
  requestMirror?: { backendRef?: BackendRefLike };
  responseHeaderModifier?: HeaderEdit;
}
interface BackendRefLike {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  weight?: number;
  filters?: FilterLike[];
}
interface RuleLike {
  matches?: MatchLike[];
  backendRefs?: BackendRefLike[];
  filters?: FilterLike[];
}
export interface HTTPRouteLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { rules?: RuleLike[] };
}

type Test = (req: RequestInfo) => boolean;

interface CompiledMatch {
  rule: number;
  test: Test;
  /** Precedence key, compared in order; larger wins. */
  rank: [number, number, number, number, number];
}

function valueTest(m: ValueMatchLike, get: (req: RequestInfo, name: string) => string | undefined): Test {
  const name = m.name ?? '';
  const value = m.value ?? '';
  if (m.type === 'RegularExpression') {
    const re = compile(value, true);
    return (req) => {
      const v = get(req, name);
      return re !== undefined && v !== undefined && re.test(v);
    };
  }
  return (req) => get(req, name) === value;
}

function pathTest(path: MatchLike['path']): Test {
  const type = path?.type ?? 'PathPrefix';
  const value = path?.value ?? '/';
  if (type === 'Exact') return (req) => req.path === value;
  if (type === 'RegularExpression') {
    const re = compile(value, true);
    return (req) => re !== undefined && re.test(req.path);
  }
  const prefix = value.replace(/\/+$/, '');
  return (req) => prefix === '' || req.path === prefix || req.path.startsWith(`${prefix}/`);
}

function compileMatch(rule: number, m: MatchLike): CompiledMatch {
  const tests: Test[] = [pathTest(m.path)];
  for (const h of m.headers ?? []) tests.push(valueTest(h, (req, n) => headerValue(req.headers, n)));
  for (const q of m.queryParams ?? []) tests.push(valueTest(q, (req, n) => req.query.get(n) ?? undefined));
  if (m.method) tests.push((req) => req.method === m.method);
  const pathType = m.path?.type ?? 'PathPrefix';
  return {
    rule,
    test: (req) => tests.every((t) => t(req)),
    rank: [
      pathType === 'Exact' ? 1 : 0,
      pathType === 'PathPrefix' ? (m.path?.value ?? '/').length : 0,
      m.method ? 1 : 0,
      m.headers?.length ?? 0,
      m.queryParams?.length ?? 0,
    ],
  };
}

function better(a: CompiledMatch, b: CompiledMatch): boolean {
  for (let i = 0; i < a.rank.length; i++) {
    const d = (a.rank[i] ?? 0) - (b.rank[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return a.rule < b.rule;
}

export interface GatewayPolicyOptions {
  namespace: string;
  name: string;
  /** The Services the data plane serves. */
  serves: (service: string) => boolean;
  picker: Picker;
}

export function gatewayPolicy(route: HTTPRouteLike | undefined, o: GatewayPolicyOptions): RoutingPolicy {
  const where = `HTTPRoute ${o.namespace}/${o.name}`;
  if (!route) {
    return {
      source: `${where} (absent)`,
      weights: [],
      decide: () => ({ status: 404, reason: `${where} not found` }),
    };
  }
  const rules = route.spec?.rules ?? [];
  const valid = (ref: BackendRefLike | undefined): ref is BackendRefLike & { name: string } =>
    ref?.name !== undefined &&
    (ref.group ?? '') === '' &&
    (ref.kind ?? 'Service') === 'Service' &&
    (ref.namespace ?? o.namespace) === o.namespace &&
    o.serves(ref.name);
  const matches = rules.flatMap((rule, i) =>
    (rule.matches?.length ? rule.matches : [{}]).map((m) => compileMatch(i, m)),
  );
  const decide = (req: RequestInfo): RouteDecision => {
    let best: CompiledMatch | undefined;
    for (const m of matches) if (m.test(req) && (!best || better(m, best))) best = m;
    if (!best) return { status: 404, reason: `no rule of ${where} matches` };
    const rule = rules[best.rule] ?? {};
    const refs = (rule.backendRefs ?? []).map((ref) => ({ value: ref, weight: ref.weight ?? 1 }));
    const ref = o.picker.pick(`rule-${best.rule}`, refs);
    if (!ref) return { status: 500, reason: `rule ${best.rule} of ${where} has no backend with weight > 0` };
    if (!valid(ref))
      return { status: 500, reason: `backendRef ${ref.name ?? '?'} of ${where} is not served` };
    const mirrors = (rule.filters ?? [])
      .filter((f) => f.type === 'RequestMirror')
      .map((f) => f.requestMirror?.backendRef)
      .filter(valid)
      .map((r) => r.name);
    const responseHeaders = [...(rule.filters ?? []), ...(ref.filters ?? [])]
      .filter((f) => f.type === 'ResponseHeaderModifier')
      .map((f) => f.responseHeaderModifier ?? {});
    return { service: ref.name, mirrors, ...(responseHeaders.length > 0 ? { responseHeaders } : {}) };
  };
  return {
    source: `${where} resourceVersion ${route.metadata?.resourceVersion ?? '?'}`,
    weights: rules.map((r) =>
      Object.fromEntries((r.backendRefs ?? []).map((b) => [b.name ?? '?', b.weight ?? 1])),
    ),
    decide,
  };
}
