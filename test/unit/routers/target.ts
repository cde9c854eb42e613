import type { RouteTarget } from '../../../operator/src/routers/router.ts';

export const owner = {
  apiVersion: 'fledge.dev/v1alpha1',
  kind: 'Canary',
  name: 'checkout',
  uid: 'canary-uid',
};

/** The RouteTarget of a Canary `checkout` in `shop`, with overrides. */
export function target(overrides: Partial<RouteTarget> = {}): RouteTarget {
  return {
    namespace: 'shop',
    canaryName: 'checkout',
    apexService: 'checkout',
    primaryService: 'checkout-primary',
    canaryService: 'checkout-canary',
    port: 8080,
    owner,
    ...overrides,
  };
}

export const ownerRef = { ...owner, controller: true, blockOwnerDeletion: true };
