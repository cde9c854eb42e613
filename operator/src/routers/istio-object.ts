// The Istio objects fledge wants, computed from the RouteTarget, the weights and the live objects,
// as Flagger's Istio router writes them. Pure.
//
// - DestinationRules `<svc>-primary` and `<svc>-canary`: `host` the Service of that name, and the
//   Canary's `service.trafficPolicy` (mTLS, load balancing, ...) when given.
// - VirtualService named like the apex Service: `hosts` are `service.hosts` plus the apex Service
//   (unless listed, or "*"), `gateways` are `service.gateways` or Istio's "mesh", and one HTTP route
//   splitting between the primary and canary hosts by weight. A/B puts the analysis matches on that
//   route and adds a second one sending everything else to the primary; mirroring adds `mirror`.
//
// Owned by fledge: the DestinationRules' `host` and `trafficPolicy`, the VirtualService's `hosts`,
// `gateways` and `http`, its ownerReference and the apexMetadata keys. Every other field on a live
// object (other labels, annotations, spec fields such as `exportTo`, status) is carried over.
import { InvalidRoutingError } from './errors.ts';
import type { KubeObject, ObjectRef } from './kube-object.ts';
import { copyJson, disowned, ownedRoute } from './object-meta.ts';
import type { HttpMatch, RouteTarget, RouteWeights, StringMatch } from './router.ts';
import { escapeRegex, stringMatchOp } from './string-match.ts';

export const ISTIO_API_VERSION = 'networking.istio.io/v1';

/** Istio's StringMatch: exactly one of exact, prefix, regex (RE2). */
type IstioStringMatch = { exact: string } | { prefix: string } | { regex: string };

interface IstioMatch {
  headers?: Record<string, IstioStringMatch>;
  queryParams?: Record<string, IstioStringMatch>;
  uri?: IstioStringMatch;
  method?: IstioStringMatch;
}

export interface IstioDestination {
  destination: { host: string; [field: string]: unknown };
  weight?: number;
  [field: string]: unknown;
}

export interface IstioHTTPRoute {
  match?: IstioMatch[];
  route?: IstioDestination[];
  mirror?: { host: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface VirtualService extends KubeObject {
  spec?: { hosts?: string[]; gateways?: string[]; http?: IstioHTTPRoute[]; [field: string]: unknown };
}

export interface DestinationRule extends KubeObject {
  spec?: { host?: string; trafficPolicy?: unknown; [field: string]: unknown };
}

export const virtualServiceRef = (t: RouteTarget): ObjectRef => ({
  apiVersion: ISTIO_API_VERSION,
  kind: 'VirtualService',
  namespace: t.namespace,
  name: t.apexService,
});

export const destinationRuleRefs = (t: RouteTarget): ObjectRef[] =>
  [t.primaryService, t.canaryService].map((name) => ({
    apiVersion: ISTIO_API_VERSION,
    kind: 'DestinationRule',
    namespace: t.namespace,
    name,
  }));

function base<T extends KubeObject>(ref: ObjectRef, live: KubeObject | undefined): T {
  return (
    live
      ? copyJson(live)
      : { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }
  ) as T;
}

/** The DestinationRule for one of the two Services (`ref.name` is the Service's name). */
export function buildDestinationRule(
  t: RouteTarget,
  ref: ObjectRef,
  live: KubeObject | undefined,
): DestinationRule {
  const rule = base<DestinationRule>(ref, live);
  const spec: DestinationRule['spec'] = { ...rule.spec, host: ref.name };
  if (t.istio?.trafficPolicy !== undefined) spec.trafficPolicy = copyJson(t.istio.trafficPolicy);
  else delete spec.trafficPolicy;
  return ownedRoute({ ...rule, apiVersion: ISTIO_API_VERSION, spec }, t, false);
}

function stringMatch(object: string, what: string, m: StringMatch): IstioStringMatch {
  const { op, value } = stringMatchOp(object, what, m);
  switch (op) {
    case 'exact':
      return { exact: value };
    case 'prefix':
      return { prefix: value };
    case 'regex':
      return { regex: value };
    case 'suffix':
      // Istio has no suffix match: an anchored regular expression over the escaped literal.
      return { regex: `.*${escapeRegex(value)}$` };
  }
}

function matchMap(object: string, what: string, m: Record<string, StringMatch> | undefined) {
  if (!m) return undefined;
  // Sorted, so equal matches build equal objects whatever order the spec listed them in.
  const keys = Object.keys(m).sort();
  return Object.fromEntries(keys.map((k) => [k, stringMatch(object, `${what} ${k}`, m[k] ?? {})]));
}

function toIstioMatch(object: string, m: HttpMatch): IstioMatch {
  const out: IstioMatch = {};
  const headers = matchMap(object, 'header', m.headers);
  const queryParams = matchMap(object, 'query parameter', m.queryParams);
  if (headers) out.headers = headers;
  if (queryParams) out.queryParams = queryParams;
  if (m.uri) out.uri = stringMatch(object, 'uri', m.uri);
  if (m.method) out.method = stringMatch(object, 'method', m.method);
  if (Object.keys(out).length === 0)
    throw new InvalidRoutingError(object, 'an A/B match needs at least one condition');
  return out;
}

function destination(host: string, weight: number): IstioDestination {
  return { destination: { host }, weight };
}

/** The HTTP routes: the weighted one (A/B: only for matching requests) and, for A/B, everything else. */
export function istioRoutes(t: RouteTarget, w: RouteWeights, object: string): IstioHTTPRoute[] {
  const weighted: IstioHTTPRoute = {
    route: [destination(t.primaryService, w.primary), destination(t.canaryService, w.canary)],
  };
  if ((t.match?.length ?? 0) > 0) weighted.match = (t.match ?? []).map((m) => toIstioMatch(object, m));
  if (w.mirror) weighted.mirror = { host: t.canaryService };
  if (!weighted.match) return [weighted];
  return [weighted, { route: [destination(t.primaryService, 100)] }];
}

function hostsOf(t: RouteTarget): string[] {
  const hosts = [...(t.hosts ?? [])];
  if (!hosts.includes(t.apexService) && !hosts.includes('*')) hosts.push(t.apexService);
  return hosts;
}

function withSpec(t: RouteTarget, live: KubeObject | undefined, http: IstioHTTPRoute[]): VirtualService {
  const vs = base<VirtualService>(virtualServiceRef(t), live);
  const gateways = t.istio?.gateways?.length ? [...t.istio.gateways] : ['mesh'];
  return { ...vs, apiVersion: ISTIO_API_VERSION, spec: { ...vs.spec, hosts: hostsOf(t), gateways, http } };
}

/** The VirtualService sending `w` to primary and canary, keeping every field fledge does not own. */
export function buildVirtualService(
  t: RouteTarget,
  w: RouteWeights,
  live: KubeObject | undefined,
  object: string,
): VirtualService {
  return ownedRoute(withSpec(t, live, istioRoutes(t, w, object)), t);
}

/**
 * revertOnDeletion: every request to the apex Service (which selects the target's pods once the
 * Canary is gone), and no ownerReference, so garbage collection keeps the VirtualService serving.
 */
export function revertedVirtualService(t: RouteTarget, live: KubeObject): VirtualService {
  return disowned(withSpec(t, live, [{ route: [destination(t.apexService, 100)] }]), t);
}

/** The weights of the HTTP route that names both hosts, or undefined when there is none. */
export function virtualServiceWeights(t: RouteTarget, vs: KubeObject): RouteWeights | undefined {
  for (const route of (vs as VirtualService).spec?.http ?? []) {
    const dests = route.route ?? [];
    const primary = dests.find((d) => d.destination.host === t.primaryService);
    const canary = dests.find((d) => d.destination.host === t.canaryService);
    if (!primary || !canary) continue;
    // Istio's default weight: a lone destination takes everything, several need weights.
    return {
      primary: primary.weight ?? 0,
      canary: canary.weight ?? 0,
      mirror: route.mirror?.host === t.canaryService,
    };
  }
  return undefined;
}
