// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// A Contour HTTPProxy read the way Contour programs Envoy, independently of fledge's router code.
// Pure. (Only the proxy itself: the root HTTPProxy that would include it is not modelled.)
// - A route matches when all its conditions hold: path `prefix` (whole segments, as Contour),
//   `exact`, `regex` (whole path); `header` exact / regex / contains / present; `queryParameter`
//   exact / prefix / suffix / regex / contains / present. Regular expressions match the whole value.
// - Several matching routes: the most specific wins as Contour orders Envoy's routes: more header
//   and query conditions first, then the longer path, then the order written.
// - `services` without `mirror` split by `weight` (all unset: equal shares; some set: unset is 0);
//   a `mirror: true` service gets a copy. An unserved Service answers 500, no route 404.
import { compile, headerValue, type RequestInfo, type RouteDecision, type RoutingPolicy } from './routing.ts';
import type { Picker } from './weighted.ts';

interface ValueCondition {
  name?: string;
  exact?: string;
  regex?: string;
  contains?: string;
  prefix?: string;
  suffix?: string;
  present?: boolean;
}
interface ConditionLike {
  prefix?: string;
  exact?: string;
  regex?: string;
  header?: ValueCondition;
  queryParameter?: ValueCondition;
}
interface ServiceLike {
  name?: string;
  weight?: number;
  mirror?: boolean;
}
interface RouteLike {
  conditions?: ConditionLike[];
  services?: ServiceLike[];
}
export interface HTTPProxyLike {
  metadata?: { resourceVersion?: string };
  spec?: { routes?: RouteLike[] };
}

export interface ContourPolicyOptions {
  namespace: string;
  name: string;
  serves: (service: string) => boolean;
  picker: Picker;
}

function valueTest(c: ValueCondition): (v: string | undefined) => boolean {
  if (c.exact !== undefined) return (v) => v === c.exact;
  if (c.regex !== undefined) {
    const re = compile(c.regex, true);
    return (v) => re !== undefined && v !== undefined && re.test(v);
  }
  if (c.contains !== undefined) return (v) => v !== undefined && v.includes(c.contains ?? '');
  if (c.prefix !== undefined) return (v) => v !== undefined && v.startsWith(c.prefix ?? '');
  if (c.suffix !== undefined) return (v) => v !== undefined && v.endsWith(c.suffix ?? '');
  if (c.present) return (v) => v !== undefined;
  return () => false;
}

function conditionTest(c: ConditionLike): (req: RequestInfo) => boolean {
  if (c.header) {
    const t = valueTest(c.header);
    const name = c.header.name ?? '';
    return (req) => t(headerValue(req.headers, name));
  }
  if (c.queryParameter) {
    const t = valueTest(c.queryParameter);
    const name = c.queryParameter.name ?? '';
    return (req) => t(req.query.get(name) ?? undefined);
  }
  if (c.exact !== undefined) return (req) => req.path === c.exact;
  if (c.regex !== undefined) {
    const re = compile(c.regex, true);
    return (req) => re !== undefined && re.test(req.path);
  }
  const prefix = (c.prefix ?? '/').replace(/\/+$/, '');
  return (req) => prefix === '' || req.path === prefix || req.path.startsWith(`${prefix}/`);
}

export function contourPolicy(proxy: HTTPProxyLike | undefined, o: ContourPolicyOptions): RoutingPolicy {
  const where = `HTTPProxy ${o.namespace}/${o.name}`;
  if (!proxy) {
    return {
      source: `${where} (absent)`,
      weights: [],
      decide: () => ({ status: 404, reason: `${where} not found` }),
    };
  }
  const routes = (proxy.spec?.routes ?? []).map((r, i) => {
    const conds = r.conditions ?? [];
    const tests = conds.map(conditionTest);
    const pathLength = Math.max(0, ...conds.map((c) => (c.exact ?? c.prefix ?? c.regex ?? '').length));
    return {
      r,
      i,
      test: (req: RequestInfo) => tests.every((t) => t(req)),
      rank: [conds.filter((c) => c.header || c.queryParameter).length, pathLength],
    };
  });
  const better = (a: (typeof routes)[number], b: (typeof routes)[number]) =>
    a.rank[0] !== b.rank[0]
      ? (a.rank[0] ?? 0) > (b.rank[0] ?? 0)
      : a.rank[1] !== b.rank[1]
        ? (a.rank[1] ?? 0) > (b.rank[1] ?? 0)
        : a.i < b.i;
  const decide = (req: RequestInfo): RouteDecision => {
    let best: (typeof routes)[number] | undefined;
    for (const x of routes) if (x.test(req) && (!best || better(x, best))) best = x;
    if (!best) return { status: 404, reason: `no route of ${where} matches` };
    const split = (best.r.services ?? []).filter((s) => !s.mirror);
    const anyWeight = split.some((s) => s.weight !== undefined);
    const pick = o.picker.pick(
      `route-${best.i}`,
      split.map((s) => ({ value: s, weight: s.weight ?? (anyWeight ? 0 : 1) })),
    );
    if (!pick?.name || !o.serves(pick.name))
      return { status: 500, reason: `route ${best.i} of ${where} has no served service with weight > 0` };
    const mirrors = (best.r.services ?? [])
      .filter((s) => s.mirror && s.name && o.serves(s.name))
      .map((s) => s.name as string);
    return { service: pick.name, mirrors };
  };
  return {
    source: `${where} resourceVersion ${proxy.metadata?.resourceVersion ?? '?'}`,
    weights: routes.map(({ r }) =>
      Object.fromEntries(
        (r.services ?? []).filter((s) => !s.mirror).map((s) => [s.name ?? '?', s.weight ?? 0]),
      ),
    ),
    decide,
  };
}
