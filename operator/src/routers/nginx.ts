// ingress-nginx provider: a canary Ingress cloned from the user's (see nginx-object.ts).
import { applyObject, deleteObject, readObject } from './apply.ts';
import { checkWeights, RouteNotFoundError, RouterError } from './errors.ts';
import { describeRef, type ObjectClient } from './kube-object.ts';
import {
  buildCanaryIngress,
  canaryIngressRef,
  canaryIngressWeights,
  sourceIngressRef,
  type Ingress,
} from './nginx-object.ts';
import { initialWeights, type Router, type RouteTarget, type RouteWeights } from './router.ts';

export class NginxRouter implements Router {
  readonly #client: ObjectClient;

  constructor(client: ObjectClient) {
    this.#client = client;
  }

  async #source(t: RouteTarget): Promise<Ingress> {
    const ref = sourceIngressRef(t);
    const source = await readObject(this.#client, ref);
    if (!source) throw new RouteNotFoundError(describeRef(ref), 'not found (named by the Canary ingressRef)');
    return source;
  }

  async ensureRoutes(t: RouteTarget): Promise<void> {
    const source = await this.#source(t);
    const ref = canaryIngressRef(t);
    await applyObject(this.#client, ref, (live) => {
      const w = (live && canaryIngressWeights(live)) || initialWeights;
      return buildCanaryIngress(t, w, source, live, describeRef(ref));
    });
  }

  async setWeights(t: RouteTarget, w: RouteWeights): Promise<void> {
    const ref = canaryIngressRef(t);
    checkWeights(describeRef(ref), w);
    const source = await this.#source(t);
    await applyObject(this.#client, ref, (live) => buildCanaryIngress(t, w, source, live, describeRef(ref)));
  }

  async getWeights(t: RouteTarget): Promise<RouteWeights> {
    const ref = canaryIngressRef(t);
    const live = await readObject(this.#client, ref);
    if (!live) throw new RouteNotFoundError(describeRef(ref), 'not found');
    const w = canaryIngressWeights(live);
    if (!w) {
      const raw = live.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'];
      throw new RouterError(describeRef(ref), `canary-weight "${raw}" is not a percentage`);
    }
    return w;
  }

  /** The user's Ingress already points at the apex Service; the clone only has to go. */
  async finalize(t: RouteTarget): Promise<void> {
    await deleteObject(this.#client, canaryIngressRef(t));
  }
}
