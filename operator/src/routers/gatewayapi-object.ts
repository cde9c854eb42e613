// The HTTPRoute fledge wants, computed from the RouteTarget, the weights and the live route. Pure.
//
// Owned by fledge: spec.parentRefs, spec.hostnames, spec.rules, its own ownerReference and the
// apexMetadata keys. Everything else on a live route (other labels and annotations, other spec
// fields, status) is carried over untouched. Defaults the real Gateway API CRDs apply (parentRef
// group/kind, backendRef group/kind, match path and types) are written explicitly so that a
// defaulted live route still equals the desired one.
import type { KubeObject, ObjectRef } from './kube-object.ts';
import { copyJson, disowned, ownedRoute } from './object-meta.ts';
import {
  matchEverything,
  toRouteMatches,
  type HTTPRouteMatch,
  type HTTPValueMatch,
} from './gatewayapi-match.ts';
import type { RouteTarget, RouteWeights } from './router.ts';
import { cookieHeaderRegex, expireCookie, setCookie, type SessionCookie } from './session-affinity.ts';

export const gatewayGroup = 'gateway.networking.k8s.io';
export type GatewayApiVersion = `${typeof gatewayGroup}/v1` | `${typeof gatewayGroup}/v1beta1`;

export interface ParentReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
}

export interface ServiceBackendRef {
  group: string;
  kind: string;
  name: string;
  port: number;
  weight?: number;
  [field: string]: unknown;
}

export interface HTTPHeaderFilter {
  add?: Array<{ name: string; value: string }>;
  set?: Array<{ name: string; value: string }>;
  remove?: string[];
}

export interface HTTPRouteFilter {
  type: string;
  requestMirror?: { backendRef: ServiceBackendRef };
  responseHeaderModifier?: HTTPHeaderFilter;
  [field: string]: unknown;
}

export interface HTTPRouteRule {
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: ServiceBackendRef[];
  [field: string]: unknown;
}

export interface HTTPRouteSpec {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: HTTPRouteRule[];
  [field: string]: unknown;
}

export interface HTTPRoute extends KubeObject {
  spec?: HTTPRouteSpec;
}

/** The route is named like the apex Service, in the Canary's namespace (as Flagger names it). */
export function httpRouteRef(t: RouteTarget, apiVersion: GatewayApiVersion): ObjectRef {
  return { apiVersion, kind: 'HTTPRoute', namespace: t.namespace, name: t.apexService };
}

function service(name: string, port: number, weight?: number): ServiceBackendRef {
  const ref: ServiceBackendRef = { group: '', kind: 'Service', name, port };
  if (weight !== undefined) ref.weight = weight;
  return ref;
}

function parentRefs(t: RouteTarget): ParentReference[] {
  return (t.gatewayRefs ?? []).map((g) => {
    const ref: ParentReference = { group: g.group ?? gatewayGroup, kind: g.kind ?? 'Gateway', name: g.name };
    if (g.namespace !== undefined) ref.namespace = g.namespace;
    if (g.sectionName !== undefined) ref.sectionName = g.sectionName;
    if (g.port !== undefined) ref.port = g.port;
    return ref;
  });
}

function addHeader(name: string, value: string): HTTPRouteFilter {
  return { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name, value }] } };
}

/** Requests carrying the cookie, on every path (as the weighted rule), to one Service. */
function cookieRule(c: SessionCookie, to: ServiceBackendRef, filters?: HTTPRouteFilter[]): HTTPRouteRule {
  const cookie: HTTPValueMatch = { type: 'RegularExpression', name: 'Cookie', value: cookieHeaderRegex(c) };
  return {
    matches: [{ ...matchEverything(), headers: [cookie] }],
    ...(filters ? { filters } : {}),
    backendRefs: [to],
  };
}

/**
 * Session affinity around the weighted rule (session-affinity.ts). The cookie rules win over it by
 * Gateway API precedence (one more header match), not by order, so the weighted rule stays first.
 */
function stickyRules(t: RouteTarget, w: RouteWeights, weighted: HTTPRouteRule): HTTPRouteRule[] {
  const sa = t.sessionAffinity;
  if (!sa) return [weighted];
  const toPrimary = service(t.primaryService, t.port, 1);
  if (w.canary === 0) {
    // Release over: whoever still carries a cookie is answered by the primary and told to drop it.
    const cookies = [sa.canary, ...(sa.primary ? [sa.primary] : [])];
    const expiring = cookies.map((c) => cookieRule(c, toPrimary, [addHeader('Set-Cookie', expireCookie(c))]));
    return [weighted, ...expiring];
  }
  const giving = (ref: ServiceBackendRef, c: SessionCookie | undefined): ServiceBackendRef =>
    c ? { ...ref, filters: [addHeader('Set-Cookie', setCookie(c, sa.maxAgeSeconds))] } : ref;
  return [
    {
      ...weighted,
      backendRefs: [
        giving(service(t.primaryService, t.port, w.primary), sa.primary),
        giving(service(t.canaryService, t.port, w.canary), sa.canary),
      ],
    },
    cookieRule(sa.canary, service(t.canaryService, t.port, 1)),
    ...(sa.primary ? [cookieRule(sa.primary, toPrimary)] : []),
  ];
}

/** The weighted rule (A/B: only for matching requests) and, for A/B, the everything-else rule. */
export function routeRules(t: RouteTarget, w: RouteWeights, object: string): HTTPRouteRule[] {
  const ab = (t.match?.length ?? 0) > 0;
  const weighted: HTTPRouteRule = {
    matches: ab ? toRouteMatches(object, t.match ?? []) : [matchEverything()],
    backendRefs: [service(t.primaryService, t.port, w.primary), service(t.canaryService, t.port, w.canary)],
  };
  if (w.mirror) {
    weighted.filters = [
      { type: 'RequestMirror', requestMirror: { backendRef: service(t.canaryService, t.port) } },
    ];
  }
  if (!ab) return stickyRules(t, w, weighted);
  return [weighted, { matches: [matchEverything()], backendRefs: [service(t.primaryService, t.port, 100)] }];
}

function withSpec(
  t: RouteTarget,
  apiVersion: GatewayApiVersion,
  live: KubeObject | undefined,
  rules: HTTPRouteRule[],
): HTTPRoute {
  const base: HTTPRoute = live
    ? copyJson(live)
    : { apiVersion, kind: 'HTTPRoute', metadata: { name: t.apexService, namespace: t.namespace } };
  const hosts = t.hosts ?? [];
  const spec: HTTPRouteSpec = { ...base.spec, parentRefs: parentRefs(t), rules };
  if (hosts.length > 0) spec.hostnames = [...hosts];
  else delete spec.hostnames;
  return { ...base, apiVersion, spec };
}

/** The route sending `w` to primary and canary, keeping every field fledge does not own. */
export function buildHTTPRoute(
  t: RouteTarget,
  w: RouteWeights,
  apiVersion: GatewayApiVersion,
  live: KubeObject | undefined,
  object: string,
): HTTPRoute {
  return ownedRoute(withSpec(t, apiVersion, live, routeRules(t, w, object)), t);
}

/**
 * revertOnDeletion: every request to the apex Service (which selects the target's pods once the
 * Canary is gone), and no ownerReference, so garbage collection keeps the route serving.
 */
export function revertedHTTPRoute(
  t: RouteTarget,
  apiVersion: GatewayApiVersion,
  live: KubeObject,
): HTTPRoute {
  const routes = [{ matches: [matchEverything()], backendRefs: [service(t.apexService, t.port, 100)] }];
  return disowned(withSpec(t, apiVersion, live, routes), t);
}

/** The weights of the rule that names both primary and canary, or undefined when there is none. */
export function httpRouteWeights(t: RouteTarget, route: KubeObject): RouteWeights | undefined {
  const rules = (route as HTTPRoute).spec?.rules ?? [];
  for (const rule of rules) {
    const refs = rule.backendRefs ?? [];
    const primary = refs.find((r) => r.name === t.primaryService);
    const canary = refs.find((r) => r.name === t.canaryService);
    if (!primary || !canary) continue;
    const mirror = (rule.filters ?? []).some(
      (f) => f.type === 'RequestMirror' && f.requestMirror?.backendRef.name === t.canaryService,
    );
    // Gateway API's default weight is 1.
    return { primary: primary.weight ?? 1, canary: canary.weight ?? 1, mirror };
  }
  return undefined;
}
