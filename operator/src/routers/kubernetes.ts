// Kubernetes provider: blue/green without a proxy. The apex Service's selector points at the primary
// pods, and at the canary pods while the canary takes all traffic (see kubernetes-object.ts and
// docs/routing.md for how this differs from Flagger's no-op router).
import { applyObject, readObject } from './apply.ts';
import { checkWeights, InvalidRoutingError, RouteNotFoundError, RouterError } from './errors.ts';
import { describeRef, type KubeObject, type ObjectClient } from './kube-object.ts';
import {
  apexWithSelector,
  selectedSide,
  selectorOf,
  serviceRef,
  sideFor,
  sideWeights,
  type Side,
} from './kubernetes-object.ts';
import type { Router, RouteTarget, RouteWeights } from './router.ts';

export class KubernetesRouter implements Router {
  readonly #client: ObjectClient;

  constructor(client: ObjectClient) {
    this.#client = client;
  }

  async #selectors(t: RouteTarget): Promise<Record<Side, Record<string, string>>> {
    const read = async (name: string) => {
      const ref = serviceRef(t, name);
      const svc = await readObject(this.#client, ref);
      if (!svc) throw new RouteNotFoundError(describeRef(ref), 'not found');
      const selector = selectorOf(svc);
      if (!selector) throw new InvalidRoutingError(describeRef(ref), 'has no selector to copy');
      return selector;
    };
    const [primary, canary] = await Promise.all([read(t.primaryService), read(t.canaryService)]);
    return { primary, canary };
  }

  async #apply(
    t: RouteTarget,
    pick: (apex: KubeObject, selectors: Record<Side, Record<string, string>>) => Side | undefined,
  ): Promise<void> {
    const selectors = await this.#selectors(t);
    const ref = serviceRef(t, t.apexService);
    await applyObject(this.#client, ref, (live) => {
      if (!live) throw new RouteNotFoundError(describeRef(ref), 'not found');
      const side = pick(live, selectors);
      return side && apexWithSelector(live, selectors[side]);
    });
  }

  /** Leaves a selector that already picks a side alone: ensureRoutes must not undo a switch. */
  async ensureRoutes(t: RouteTarget): Promise<void> {
    await this.#apply(t, (apex, selectors) => (selectedSide(apex, selectors) ? undefined : 'primary'));
  }

  async setWeights(t: RouteTarget, w: RouteWeights): Promise<void> {
    const name = describeRef(serviceRef(t, t.apexService));
    checkWeights(name, w);
    const side = sideFor(name, w);
    await this.#apply(t, () => side);
  }

  async getWeights(t: RouteTarget): Promise<RouteWeights> {
    const ref = serviceRef(t, t.apexService);
    const [selectors, apex] = await Promise.all([this.#selectors(t), readObject(this.#client, ref)]);
    if (!apex) throw new RouteNotFoundError(describeRef(ref), 'not found');
    const side = selectedSide(apex, selectors);
    if (!side) throw new RouterError(describeRef(ref), 'selects neither the primary nor the canary pods');
    return sideWeights(side);
  }

  /** The primary goes away with the Canary; the apex must select the target's (canary) pods again. */
  async finalize(t: RouteTarget): Promise<void> {
    await this.#apply(t, () => 'canary');
  }
}
