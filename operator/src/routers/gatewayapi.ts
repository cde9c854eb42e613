// Gateway API provider: one HTTPRoute named like the apex Service splits traffic between the primary
// and canary Services by backendRef weight; A/B adds a first rule for matching requests.
import { applyObject, readObject } from './apply.ts';
import { checkWeights, RouteNotFoundError, RouterError } from './errors.ts';
import {
  buildHTTPRoute,
  httpRouteRef,
  httpRouteWeights,
  revertedHTTPRoute,
  type GatewayApiVersion,
} from './gatewayapi-object.ts';
import { describeRef, type ObjectClient } from './kube-object.ts';
import {
  initialWeights,
  type RouteKind,
  type Router,
  type RouteTarget,
  type RouteWeights,
} from './router.ts';

export class GatewayApiRouter implements Router {
  readonly #client: ObjectClient;
  readonly #apiVersion: GatewayApiVersion;

  readonly requiredKinds: readonly RouteKind[];

  constructor(client: ObjectClient, apiVersion: GatewayApiVersion = 'gateway.networking.k8s.io/v1') {
    this.#client = client;
    this.#apiVersion = apiVersion;
    this.requiredKinds = [{ apiVersion, kind: 'HTTPRoute' }];
  }

  async ensureRoutes(t: RouteTarget): Promise<void> {
    const ref = httpRouteRef(t, this.#apiVersion);
    const name = describeRef(ref);
    await applyObject(this.#client, ref, (live) => {
      // Keep whatever split is live: ensureRoutes runs on every pass, also mid-analysis.
      const w = (live && httpRouteWeights(t, live)) || initialWeights;
      return buildHTTPRoute(t, w, this.#apiVersion, live, name);
    });
  }

  async setWeights(t: RouteTarget, w: RouteWeights): Promise<void> {
    const ref = httpRouteRef(t, this.#apiVersion);
    const name = describeRef(ref);
    checkWeights(name, w);
    await applyObject(this.#client, ref, (live) => buildHTTPRoute(t, w, this.#apiVersion, live, name));
  }

  async getWeights(t: RouteTarget): Promise<RouteWeights> {
    const ref = httpRouteRef(t, this.#apiVersion);
    const live = await readObject(this.#client, ref);
    if (!live) throw new RouteNotFoundError(describeRef(ref), 'not found');
    const w = httpRouteWeights(t, live);
    if (!w) {
      throw new RouterError(
        describeRef(ref),
        `no rule routes to both ${t.primaryService} and ${t.canaryService}`,
      );
    }
    return w;
  }

  async finalize(t: RouteTarget): Promise<void> {
    const ref = httpRouteRef(t, this.#apiVersion);
    await applyObject(this.#client, ref, (live) => live && revertedHTTPRoute(t, this.#apiVersion, live));
  }
}
