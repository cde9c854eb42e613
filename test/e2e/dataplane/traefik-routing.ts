// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// A TraefikService (weighted round robin) read the way Traefik applies it. Pure. Every request
// goes to one of `spec.weighted.services` with probability weight/sum (weight defaults to 1); a
// Service in another namespace or not served answers 500. The IngressRoute that would route to the
// TraefikService is not modelled: the data plane is that entry point.
import type { RoutingPolicy } from './routing.ts';
import type { Picker } from './weighted.ts';

interface WeightedLike {
  name?: string;
  namespace?: string;
  weight?: number;
}
export interface TraefikServiceLike {
  metadata?: { resourceVersion?: string };
  spec?: { weighted?: { services?: WeightedLike[] } };
}

export interface TraefikPolicyOptions {
  namespace: string;
  name: string;
  serves: (service: string) => boolean;
  picker: Picker;
}

export function traefikPolicy(obj: TraefikServiceLike | undefined, o: TraefikPolicyOptions): RoutingPolicy {
  const where = `TraefikService ${o.namespace}/${o.name}`;
  if (!obj)
    return {
      source: `${where} (absent)`,
      weights: [],
      decide: () => ({ status: 404, reason: `${where} not found` }),
    };
  const services = obj.spec?.weighted?.services ?? [];
  return {
    source: `${where} resourceVersion ${obj.metadata?.resourceVersion ?? '?'}`,
    weights: [Object.fromEntries(services.map((s) => [s.name ?? '?', s.weight ?? 1]))],
    decide: () => {
      const s = o.picker.pick(
        'weighted',
        services.map((x) => ({ value: x, weight: x.weight ?? 1 })),
      );
      if (!s) return { status: 500, reason: `${where} has no service with weight > 0` };
      if (!s.name || (s.namespace ?? o.namespace) !== o.namespace || !o.serves(s.name))
        return { status: 500, reason: `service ${s.name ?? '?'} of ${where} is not served` };
      return { service: s.name, mirrors: [] };
    },
  };
}
