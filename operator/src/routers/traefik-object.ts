// The TraefikService fledge wants, as Flagger's Traefik router writes it. Pure.
//
// One TraefikService named like the apex Service, a weighted round robin over the primary and
// canary Services; the user's IngressRoute routes to it (`services: [{name: <apex>, kind:
// TraefikService}]`). Flagger drops the canary entry at weight 0; fledge keeps both entries (a
// weight of 0 sends nothing) so the object says which Services take part at every step.
//
// Owned by fledge: spec.weighted.services, its ownerReference and the apexMetadata keys. Other
// fields (sticky cookie settings under spec.weighted, labels, annotations) are kept.
import type { KubeObject, ObjectRef } from './kube-object.ts';
import { copyJson, disowned, ownedRoute } from './object-meta.ts';
import type { RouteTarget, RouteWeights } from './router.ts';

export const TRAEFIK_API_VERSION = 'traefik.io/v1alpha1';

export interface WeightedService {
  name: string;
  namespace?: string;
  port: number;
  weight?: number;
  [field: string]: unknown;
}

export interface TraefikService extends KubeObject {
  spec?: { weighted?: { services?: WeightedService[]; [field: string]: unknown }; [field: string]: unknown };
}

export const traefikServiceRef = (t: RouteTarget): ObjectRef => ({
  apiVersion: TRAEFIK_API_VERSION,
  kind: 'TraefikService',
  namespace: t.namespace,
  name: t.apexService,
});

function withServices(
  t: RouteTarget,
  live: KubeObject | undefined,
  services: WeightedService[],
): TraefikService {
  const ref = traefikServiceRef(t);
  const base = (
    live
      ? copyJson(live)
      : { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }
  ) as TraefikService;
  return {
    ...base,
    apiVersion: TRAEFIK_API_VERSION,
    spec: { ...base.spec, weighted: { ...base.spec?.weighted, services } },
  };
}

const service = (t: RouteTarget, name: string, weight: number): WeightedService => ({
  name,
  namespace: t.namespace,
  port: t.port,
  weight,
});

/** The TraefikService sending `w` to primary and canary, keeping every field fledge does not own. */
export function buildTraefikService(
  t: RouteTarget,
  w: RouteWeights,
  live: KubeObject | undefined,
): TraefikService {
  const obj = withServices(t, live, [
    service(t, t.primaryService, w.primary),
    service(t, t.canaryService, w.canary),
  ]);
  return ownedRoute(obj, t);
}

/** revertOnDeletion: everything to the apex Service, fledge no longer an owner. */
export function revertedTraefikService(t: RouteTarget, live: KubeObject): TraefikService {
  return disowned(withServices(t, live, [service(t, t.apexService, 100)]), t);
}

/** The weights of the primary and canary entries; undefined without a primary entry. */
export function traefikServiceWeights(t: RouteTarget, obj: KubeObject): RouteWeights | undefined {
  const services = (obj as TraefikService).spec?.weighted?.services ?? [];
  const primary = services.find((s) => s.name === t.primaryService);
  if (!primary) return undefined;
  // A Flagger-written object has no canary entry at weight 0.
  const canary = services.find((s) => s.name === t.canaryService);
  return { primary: primary.weight ?? 0, canary: canary?.weight ?? 0, mirror: false };
}
