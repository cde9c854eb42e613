// Istio provider: DestinationRules for the primary and canary Services and a VirtualService named
// like the apex Service splitting between them by weight (istio-object.ts), as Flagger's Istio router.
import { applyObject, readObject } from './apply.ts';
import { checkWeights, RouteNotFoundError, RouterError } from './errors.ts';
import {
  buildDestinationRule,
  buildVirtualService,
  destinationRuleRefs,
  ISTIO_API_VERSION,
  revertedVirtualService,
  virtualServiceRef,
  virtualServiceWeights,
} from './istio-object.ts';
import { describeRef, type ObjectClient } from './kube-object.ts';
import { initialWeights, type Router, type RouteTarget, type RouteWeights } from './router.ts';

export class IstioRouter implements Router {
  readonly #client: ObjectClient;
  readonly requiredKinds = [
    { apiVersion: ISTIO_API_VERSION, kind: 'VirtualService' },
    { apiVersion: ISTIO_API_VERSION, kind: 'DestinationRule' },
  ] as const;

  constructor(client: ObjectClient) {
    this.#client = client;
  }

  async ensureRoutes(t: RouteTarget): Promise<void> {
    for (const ref of destinationRuleRefs(t)) {
      await applyObject(this.#client, ref, (live) => buildDestinationRule(t, ref, live));
    }
    const ref = virtualServiceRef(t);
    const name = describeRef(ref);
    await applyObject(this.#client, ref, (live) => {
      // Keep whatever split is live: ensureRoutes runs on every pass, also mid-analysis.
      const w = (live && virtualServiceWeights(t, live)) || initialWeights;
      return buildVirtualService(t, w, live, name);
    });
  }

  async setWeights(t: RouteTarget, w: RouteWeights): Promise<void> {
    const ref = virtualServiceRef(t);
    const name = describeRef(ref);
    checkWeights(name, w);
    await applyObject(this.#client, ref, (live) => buildVirtualService(t, w, live, name));
  }

  async getWeights(t: RouteTarget): Promise<RouteWeights> {
    const ref = virtualServiceRef(t);
    const live = await readObject(this.#client, ref);
    if (!live) throw new RouteNotFoundError(describeRef(ref), 'not found');
    const w = virtualServiceWeights(t, live);
    if (!w) {
      throw new RouterError(
        describeRef(ref),
        `no HTTP route goes to both ${t.primaryService} and ${t.canaryService}`,
      );
    }
    return w;
  }

  async finalize(t: RouteTarget): Promise<void> {
    const ref = virtualServiceRef(t);
    await applyObject(this.#client, ref, (live) => live && revertedVirtualService(t, live));
  }
}
