// No traffic provider: nothing is written. It remembers the weights it was given so that the
// machine's view of a canary stays consistent (skipAnalysis, tests, workloads without routing).
import { checkWeights } from './errors.ts';
import { initialWeights, type Router, type RouteTarget, type RouteWeights } from './router.ts';

export class NopRouter implements Router {
  // Per instance, not per process: whoever creates the router owns its memory.
  readonly #weights = new Map<string, RouteWeights>();

  async ensureRoutes(_t: RouteTarget): Promise<void> {}

  async setWeights(t: RouteTarget, w: RouteWeights): Promise<void> {
    checkWeights(`Canary ${t.namespace}/${t.canaryName}`, w);
    this.#weights.set(key(t), { primary: w.primary, canary: w.canary, mirror: w.mirror ?? false });
  }

  async getWeights(t: RouteTarget): Promise<RouteWeights> {
    return { ...(this.#weights.get(key(t)) ?? { ...initialWeights, mirror: false }) };
  }

  async finalize(t: RouteTarget): Promise<void> {
    this.#weights.delete(key(t));
  }
}

function key(t: RouteTarget): string {
  return `${t.namespace}/${t.canaryName}`;
}
