// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// An Istio VirtualService read the way Envoy (through istiod) applies it, independently of fledge's
// own router code. Pure.
// - `http` routes are tried in order; the first whose `match` list has an entry that matches (or
//   that has no `match`) takes the request. Within an entry every condition must hold.
// - StringMatch: exact, prefix, regex (RE2, the whole value must match). Header names are
//   case-insensitive; `uri` is the path, `method` the HTTP method, `queryParams` the query.
// - `route` destinations by `destination.host` (a short Service name, or `<svc>.<ns>...`); weight
//   defaults to 100 for a lone destination; a request goes to a destination with probability
//   weight/sum. A host the data plane does not serve answers 500; no matching route answers 404.
// - `mirror.host` gets a copy whose answer is dropped. `hosts` and `gateways` are not checked (the
//   data plane is the only gateway).
import { compile, headerValue, type RequestInfo, type RouteDecision, type RoutingPolicy } from './routing.ts';
import type { Picker } from './weighted.ts';

type StringMatchLike = { exact?: string; prefix?: string; regex?: string };
interface MatchLike {
  headers?: Record<string, StringMatchLike>;
  queryParams?: Record<string, StringMatchLike>;
  uri?: StringMatchLike;
  method?: StringMatchLike;
}
interface DestinationLike {
  destination?: { host?: string };
  weight?: number;
}
interface HttpRouteLike {
  match?: MatchLike[];
  route?: DestinationLike[];
  mirror?: { host?: string };
}
export interface VirtualServiceLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { http?: HttpRouteLike[] };
}

export interface IstioPolicyOptions {
  namespace: string;
  name: string;
  serves: (service: string) => boolean;
  picker: Picker;
}

function stringTest(m: StringMatchLike): (v: string | undefined) => boolean {
  if (m.exact !== undefined) return (v) => v === m.exact;
  if (m.prefix !== undefined) return (v) => v !== undefined && v.startsWith(m.prefix ?? '');
  if (m.regex !== undefined) {
    const re = compile(m.regex, true);
    return (v) => re !== undefined && v !== undefined && re.test(v);
  }
  return () => false;
}

function matchTest(m: MatchLike): (req: RequestInfo) => boolean {
  const tests: Array<(req: RequestInfo) => boolean> = [];
  for (const [name, sm] of Object.entries(m.headers ?? {})) {
    const t = stringTest(sm);
    tests.push((req) => t(headerValue(req.headers, name)));
  }
  for (const [name, sm] of Object.entries(m.queryParams ?? {})) {
    const t = stringTest(sm);
    tests.push((req) => t(req.query.get(name) ?? undefined));
  }
  if (m.uri) {
    const t = stringTest(m.uri);
    tests.push((req) => t(req.path));
  }
  if (m.method) {
    const t = stringTest(m.method);
    tests.push((req) => t(req.method));
  }
  return (req) => tests.every((t) => t(req));
}

/** `web-canary.shop.svc.cluster.local` -> `web-canary`, when in this namespace. */
function serviceOf(host: string | undefined, namespace: string): string | undefined {
  if (!host) return undefined;
  const [name, ns] = host.split('.');
  return ns === undefined || ns === namespace ? name : undefined;
}

export function istioPolicy(vs: VirtualServiceLike | undefined, o: IstioPolicyOptions): RoutingPolicy {
  const where = `VirtualService ${o.namespace}/${o.name}`;
  if (!vs) {
    return {
      source: `${where} (absent)`,
      weights: [],
      decide: () => ({ status: 404, reason: `${where} not found` }),
    };
  }
  const routes = (vs.spec?.http ?? []).map((r) => ({
    r,
    test: r.match?.length ? (req: RequestInfo) => r.match!.some((m) => matchTest(m)(req)) : () => true,
  }));
  const decide = (req: RequestInfo): RouteDecision => {
    const i = routes.findIndex((x) => x.test(req));
    const r = routes[i]?.r;
    if (!r) return { status: 404, reason: `no http route of ${where} matches` };
    const dests = r.route ?? [];
    const refs = dests.map((d) => ({ value: d, weight: d.weight ?? (dests.length === 1 ? 100 : 0) }));
    const d = o.picker.pick(`route-${i}`, refs);
    if (!d) return { status: 500, reason: `route ${i} of ${where} has no destination with weight > 0` };
    const service = serviceOf(d.destination?.host, o.namespace);
    if (!service || !o.serves(service))
      return { status: 500, reason: `destination ${d.destination?.host ?? '?'} of ${where} is not served` };
    const mirror = serviceOf(r.mirror?.host, o.namespace);
    return { service, mirrors: mirror && o.serves(mirror) ? [mirror] : [] };
  };
  return {
    source: `${where} resourceVersion ${vs.metadata?.resourceVersion ?? '?'}`,
    weights: routes.map(({ r }) =>
      Object.fromEntries(
        (r.route ?? []).map((d) => [serviceOf(d.destination?.host, o.namespace) ?? '?', d.weight ?? 100]),
      ),
    ),
    decide,
  };
}
