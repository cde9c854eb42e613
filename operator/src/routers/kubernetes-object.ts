// Blue/green on plain Kubernetes Services: the apex Service selects either the primary's pods or
// the canary's, copying the selector of the primary or canary Service. Pure.
//
// Owned by fledge: the apex Service's spec.selector, and nothing else (ports, annotations,
// trafficDistribution, ... stay as the services module or the user left them).
import type { IServiceSpec } from 'kubernetes-models/v1/ServiceSpec';
import { InvalidRoutingError } from './errors.ts';
import type { KubeObject, ObjectRef } from './kube-object.ts';
import { copyJson, sameJson } from './object-meta.ts';
import type { RouteTarget, RouteWeights } from './router.ts';

export interface Service extends KubeObject {
  spec?: IServiceSpec;
}

export type Side = 'primary' | 'canary';

export function serviceRef(t: RouteTarget, name: string): ObjectRef {
  return { apiVersion: 'v1', kind: 'Service', namespace: t.namespace, name };
}

/** Blue/green switches; it cannot split. Anything but all-primary or all-canary is refused. */
export function sideFor(object: string, w: RouteWeights): Side {
  if (w.mirror) throw new InvalidRoutingError(object, 'Kubernetes Services cannot mirror traffic');
  if (w.primary === 100 && w.canary === 0) return 'primary';
  if (w.primary === 0 && w.canary === 100) return 'canary';
  throw new InvalidRoutingError(
    object,
    `blue/green routes all traffic to one side (100/0 or 0/100), got primary ${w.primary} canary ${w.canary}`,
  );
}

export function selectorOf(svc: KubeObject): Record<string, string> | undefined {
  const selector = (svc as Service).spec?.selector;
  return selector && Object.keys(selector).length > 0 ? selector : undefined;
}

/** The apex Service with `selector`, everything else as it was. */
export function apexWithSelector(apex: KubeObject, selector: Record<string, string>): Service {
  const svc = copyJson(apex) as Service;
  return { ...svc, spec: { ...svc.spec, selector: { ...selector } } };
}

/** Which side the apex selects, or undefined when it selects neither. */
export function selectedSide(
  apex: KubeObject,
  selectors: Record<Side, Record<string, string>>,
): Side | undefined {
  const live = selectorOf(apex);
  if (sameJson(live, selectors.primary)) return 'primary';
  if (sameJson(live, selectors.canary)) return 'canary';
  return undefined;
}

export function sideWeights(side: Side): RouteWeights {
  return side === 'canary'
    ? { primary: 0, canary: 100, mirror: false }
    : { primary: 100, canary: 0, mirror: false };
}
