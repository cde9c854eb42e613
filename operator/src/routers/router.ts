// The contract between the reconciler and the traffic providers (docs/routing.md). A RouteTarget is
// built by the reconciler from the Canary; it is deliberately independent of the Canary schema so
// that a schema change never ripples into the providers.
import type { SessionAffinityTarget } from './session-affinity.ts';

/** One of exact, prefix, suffix or regex, as in Istio's StringMatch (Flagger's `match` uses it). */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
}

/** One A/B condition, Flagger/Istio HTTPMatchRequest style: every field given must match. */
export interface HttpMatch {
  headers?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  uri?: StringMatch;
  method?: StringMatch;
}

export interface GatewayRef {
  name: string;
  namespace?: string;
  group?: string;
  kind?: string;
  sectionName?: string;
  port?: number;
}

export interface RouteTarget {
  namespace: string;
  canaryName: string;
  apexService: string;
  primaryService: string;
  canaryService: string;
  port: number;
  /** Set as ownerReference (controller) on the objects a router creates. */
  owner: { apiVersion: string; kind: string; name: string; uid: string };
  gatewayRefs?: GatewayRef[];
  hosts?: string[];
  ingressRef?: { name: string };
  /** A/B testing: requests matching any entry go to the canary, all others to the primary. */
  match?: HttpMatch[];
  /** Flagger's `service.apex` labels and annotations, set on the route named like the apex Service. */
  apexMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Istio: Flagger's service.gateways (default the mesh) and service.trafficPolicy (on both DestinationRules). */
  istio?: { gateways?: string[]; trafficPolicy?: unknown };
  /** Session affinity: the cookies of the release being routed (gatewayapi only). */
  sessionAffinity?: SessionAffinityTarget;
}

/** Percentages: primary + canary = 100. */
export interface RouteWeights {
  primary: number;
  canary: number;
  /** Blue/green mirroring: copy primary traffic to the canary (responses discarded). */
  mirror?: boolean;
}

/** A kind a router writes; a Canary on that provider is Stalled while the API server does not serve it. */
export interface RouteKind {
  apiVersion: string;
  kind: string;
}

export interface Router {
  /** The kinds of its route objects that a CRD provides (none for built-in kinds). */
  readonly requiredKinds?: readonly RouteKind[];
  /** Creates or updates the route objects; a new route sends everything to the primary. Keeps live weights. */
  ensureRoutes(t: RouteTarget): Promise<void>;
  /** Writes the weights; writes nothing when the live objects already say so. */
  setWeights(t: RouteTarget, w: RouteWeights): Promise<void>;
  getWeights(t: RouteTarget): Promise<RouteWeights>;
  /** revertOnDeletion: leave traffic flowing to the target workload through the apex Service. */
  finalize?(t: RouteTarget): Promise<void>;
}

export const initialWeights: RouteWeights = { primary: 100, canary: 0 };
