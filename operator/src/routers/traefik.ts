// Traefik provider: one TraefikService named like the apex Service, a weighted round robin over
// the primary and canary Services (traefik-object.ts), as Flagger's Traefik router.
import { applyObject, readObject } from './apply.ts';
import { checkWeights, InvalidRoutingError, RouteNotFoundError, RouterError } from './errors.ts';
import { describeRef, type ObjectClient } from './kube-object.ts';
import { initialWeights, type Router, type RouteTarget, type RouteWeights } from './router.ts';
import {
  buildTraefikService,
  revertedTraefikService,
  TRAEFIK_API_VERSION,
  traefikServiceRef,
  traefikServiceWeights,
} from './traefik-object.ts';

export class TraefikRouter implements Router {
  readonly #client: ObjectClient;
  readonly requiredKinds = [{ apiVersion: TRAEFIK_API_VERSION, kind: 'TraefikService' }] as const;

  constructor(client: ObjectClient) {
    this.#client = client;
  }

  #refuse(t: RouteTarget, w?: RouteWeights): void {
    const name = describeRef(traefikServiceRef(t));
    // Admission refuses both; a Canary admitted by an older fledge is Stalled, not misrouted.
    if ((t.match?.length ?? 0) > 0)
      throw new InvalidRoutingError(name, 'Traefik has no A/B match in a TraefikService');
    if (w?.mirror) throw new InvalidRoutingError(name, 'mirroring is not supported with Traefik');
  }

  async ensureRoutes(t: RouteTarget): Promise<void> {
    this.#refuse(t);
    await applyObject(this.#client, traefikServiceRef(t), (live) =>
      // Keep whatever split is live: ensureRoutes runs on every pass, also mid-analysis.
      buildTraefikService(t, (live && traefikServiceWeights(t, live)) || initialWeights, live),
    );
  }

  async setWeights(t: RouteTarget, w: RouteWeights): Promise<void> {
    const ref = traefikServiceRef(t);
    checkWeights(describeRef(ref), w);
    this.#refuse(t, w);
    await applyObject(this.#client, ref, (live) => buildTraefikService(t, w, live));
  }

  async getWeights(t: RouteTarget): Promise<RouteWeights> {
    const ref = traefikServiceRef(t);
    const live = await readObject(this.#client, ref);
    if (!live) throw new RouteNotFoundError(describeRef(ref), 'not found');
    const w = traefikServiceWeights(t, live);
    if (!w) throw new RouterError(describeRef(ref), `no weighted service ${t.primaryService}`);
    return w;
  }

  async finalize(t: RouteTarget): Promise<void> {
    await applyObject(this.#client, traefikServiceRef(t), (live) => live && revertedTraefikService(t, live));
  }
}
