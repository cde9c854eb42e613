// Contour provider: one HTTPProxy named like the apex Service, included by the user's root
// HTTPProxy, splitting between the primary and canary Services by weight (contour-object.ts).
import { applyObject, readObject } from './apply.ts';
import {
  buildHTTPProxy,
  CONTOUR_API_VERSION,
  httpProxyRef,
  httpProxyWeights,
  revertedHTTPProxy,
} from './contour-object.ts';
import { checkWeights, RouteNotFoundError, RouterError } from './errors.ts';
import { describeRef, type ObjectClient } from './kube-object.ts';
import { initialWeights, type Router, type RouteTarget, type RouteWeights } from './router.ts';

export class ContourRouter implements Router {
  readonly #client: ObjectClient;
  readonly requiredKinds = [{ apiVersion: CONTOUR_API_VERSION, kind: 'HTTPProxy' }] as const;

  constructor(client: ObjectClient) {
    this.#client = client;
  }

  async ensureRoutes(t: RouteTarget): Promise<void> {
    const ref = httpProxyRef(t);
    const name = describeRef(ref);
    await applyObject(this.#client, ref, (live) => {
      // Keep whatever split is live: ensureRoutes runs on every pass, also mid-analysis.
      const w = (live && httpProxyWeights(t, live)) || initialWeights;
      return buildHTTPProxy(t, w, live, name);
    });
  }

  async setWeights(t: RouteTarget, w: RouteWeights): Promise<void> {
    const ref = httpProxyRef(t);
    const name = describeRef(ref);
    checkWeights(name, w);
    await applyObject(this.#client, ref, (live) => buildHTTPProxy(t, w, live, name));
  }

  async getWeights(t: RouteTarget): Promise<RouteWeights> {
    const ref = httpProxyRef(t);
    const live = await readObject(this.#client, ref);
    if (!live) throw new RouteNotFoundError(describeRef(ref), 'not found');
    const w = httpProxyWeights(t, live);
    if (!w) {
      throw new RouterError(
        describeRef(ref),
        `no route goes to both ${t.primaryService} and ${t.canaryService}`,
      );
    }
    return w;
  }

  async finalize(t: RouteTarget): Promise<void> {
    const ref = httpProxyRef(t);
    await applyObject(this.#client, ref, (live) => live && revertedHTTPProxy(t, live));
  }
}
