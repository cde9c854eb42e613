// The Contour HTTPProxy fledge wants, computed from the RouteTarget, the weights and the live
// object, as Flagger's Contour router writes it. Pure.
//
// One HTTPProxy named like the apex Service, without a virtualhost: a root HTTPProxy (the user's)
// includes it, so it serves whatever host and path that root delegates. Its route sends `/` to the
// primary and canary Services by weight, each with Linkerd's `l5d-dst-override` header (as
// Flagger, so Contour in a Linkerd mesh reaches the Service it picked). A/B adds one route per
// analysis.match entry (Contour ANDs a route's conditions, so each alternative is its own route)
// before the everything-else route to the primary; mirroring adds the canary as a mirror service.
//
// Owned by fledge: spec.routes, its ownerReference and the apexMetadata keys. Everything else
// (virtualhost, includes, tcpproxy a user set, other labels and annotations, status) is kept.
import { InvalidRoutingError } from './errors.ts';
import type { KubeObject, ObjectRef } from './kube-object.ts';
import { copyJson, disowned, ownedRoute } from './object-meta.ts';
import type { HttpMatch, RouteTarget, RouteWeights, StringMatch } from './router.ts';
import { escapeRegex, stringMatchOp } from './string-match.ts';

export const CONTOUR_API_VERSION = 'projectcontour.io/v1';

interface HeaderCondition {
  name: string;
  exact?: string;
  regex?: string;
}

interface QueryCondition {
  name: string;
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
}

export interface ContourCondition {
  prefix?: string;
  exact?: string;
  regex?: string;
  header?: HeaderCondition;
  queryParameter?: QueryCondition;
}

export interface ContourService {
  name: string;
  port: number;
  weight?: number;
  mirror?: boolean;
  requestHeadersPolicy?: { set?: Array<{ name: string; value: string }> };
  [field: string]: unknown;
}

export interface ContourRoute {
  conditions?: ContourCondition[];
  services?: ContourService[];
  [field: string]: unknown;
}

export interface HTTPProxy extends KubeObject {
  spec?: { routes?: ContourRoute[]; [field: string]: unknown };
}

export const httpProxyRef = (t: RouteTarget): ObjectRef => ({
  apiVersion: CONTOUR_API_VERSION,
  kind: 'HTTPProxy',
  namespace: t.namespace,
  name: t.apexService,
});

function service(t: RouteTarget, name: string, weight: number): ContourService {
  return {
    name,
    port: t.port,
    weight,
    requestHeadersPolicy: {
      set: [{ name: 'l5d-dst-override', value: `${name}.${t.namespace}.svc.cluster.local:${t.port}` }],
    },
  };
}

function header(object: string, name: string, m: StringMatch): HeaderCondition {
  const { op, value } = stringMatchOp(object, `header ${name}`, m);
  switch (op) {
    case 'exact':
      return { name, exact: value };
    case 'regex':
      return { name, regex: value };
    // Flagger writes prefix and suffix as `contains`, which matches more than asked: anchored regexes instead.
    case 'prefix':
      return { name, regex: `^${escapeRegex(value)}.*` };
    case 'suffix':
      return { name, regex: `.*${escapeRegex(value)}$` };
  }
}

function query(object: string, name: string, m: StringMatch): QueryCondition {
  const { op, value } = stringMatchOp(object, `query parameter ${name}`, m);
  return { name, [op]: value };
}

function path(object: string, m: StringMatch | undefined): ContourCondition {
  if (!m) return { prefix: '/' };
  const { op, value } = stringMatchOp(object, 'uri', m);
  switch (op) {
    case 'exact':
      return { exact: value };
    case 'prefix':
      return { prefix: value };
    case 'regex':
      return { regex: value };
    case 'suffix':
      return { regex: `.*${escapeRegex(value)}` };
  }
}

/** One A/B alternative as the conditions of one route (all must hold, as within a Flagger match entry). */
function conditions(object: string, m: HttpMatch): ContourCondition[] {
  if (m.method) throw new InvalidRoutingError(object, 'Contour cannot match on the HTTP method');
  const out: ContourCondition[] = [path(object, m.uri)];
  for (const name of Object.keys(m.headers ?? {}).sort())
    out.push({ header: header(object, name, m.headers?.[name] ?? {}) });
  for (const name of Object.keys(m.queryParams ?? {}).sort())
    out.push({ queryParameter: query(object, name, m.queryParams?.[name] ?? {}) });
  if (out.length === 1 && !m.uri)
    throw new InvalidRoutingError(object, 'an A/B match needs at least one condition');
  return out;
}

/** The routes: the weighted one(s) (A/B: one per match entry) and, for A/B, everything else to the primary. */
export function contourRoutes(t: RouteTarget, w: RouteWeights, object: string): ContourRoute[] {
  const services = [service(t, t.primaryService, w.primary), service(t, t.canaryService, w.canary)];
  if (w.mirror) services.push({ name: t.canaryService, port: t.port, mirror: true });
  const matches = t.match ?? [];
  if (matches.length === 0) return [{ conditions: [{ prefix: '/' }], services }];
  return [
    ...matches.map((m) => ({ conditions: conditions(object, m), services: copyJson(services) })),
    {
      conditions: [{ prefix: '/' }],
      services: [service(t, t.primaryService, 100), service(t, t.canaryService, 0)],
    },
  ];
}

function withRoutes(t: RouteTarget, live: KubeObject | undefined, routes: ContourRoute[]): HTTPProxy {
  const ref = httpProxyRef(t);
  const base = (
    live
      ? copyJson(live)
      : { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }
  ) as HTTPProxy;
  return { ...base, apiVersion: CONTOUR_API_VERSION, spec: { ...base.spec, routes } };
}

/** The HTTPProxy sending `w` to primary and canary, keeping every field fledge does not own. */
export function buildHTTPProxy(
  t: RouteTarget,
  w: RouteWeights,
  live: KubeObject | undefined,
  object: string,
): HTTPProxy {
  return ownedRoute(withRoutes(t, live, contourRoutes(t, w, object)), t);
}

/** revertOnDeletion: everything to the apex Service, fledge no longer an owner. */
export function revertedHTTPProxy(t: RouteTarget, live: KubeObject): HTTPProxy {
  const routes = [{ conditions: [{ prefix: '/' }], services: [{ name: t.apexService, port: t.port }] }];
  return disowned(withRoutes(t, live, routes), t);
}

/** The weights of the first route naming both Services (mirror entries aside), or undefined. */
export function httpProxyWeights(t: RouteTarget, proxy: KubeObject): RouteWeights | undefined {
  for (const route of (proxy as HTTPProxy).spec?.routes ?? []) {
    const services = route.services ?? [];
    const primary = services.find((s) => s.name === t.primaryService && !s.mirror);
    const canary = services.find((s) => s.name === t.canaryService && !s.mirror);
    if (!primary || !canary) continue;
    const mirror = services.some((s) => s.name === t.canaryService && s.mirror === true);
    return { primary: primary.weight ?? 0, canary: canary.weight ?? 0, mirror };
  }
  return undefined;
}
