// The hub's work loop: every pollSeconds (sooner when a soak ends), one pass over every
// FleetCanary. The hub polls rather than watches its members: a hundred member watches would hold
// a hundred connections open for an answer that is needed every few seconds at most.
import type { Logger } from 'pino';
import { apiMessage } from '../kube/errors.ts';
import type { KubeRest } from '../kube/rest.ts';
import { fleetPath, pruneClients, reconcileFleet, type FleetDeps, type FleetObject } from './reconciler.ts';

export class FleetLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private active = false;
  /** Counts starts: a pass of an earlier term does not schedule the next one (leadership lost and regained meanwhile). */
  private term = 0;
  private synced = false;
  private readonly seen = new Set<string>();

  private readonly deps: FleetDeps & { rest: KubeRest; log: Logger };
  private readonly namespace: string;
  private readonly pollMs: number;

  constructor(deps: FleetDeps, namespace: string, pollMs: number) {
    this.deps = deps;
    this.namespace = namespace;
    this.pollMs = pollMs;
  }

  /**
   * Ready while leading once FleetCanaries have been listed (and while they still can be); a
   * standby is ready too, so a rollout of the Deployment never waits on the replica that does not lead.
   */
  readiness(): { ok: boolean; reason: string } {
    if (!this.active) return { ok: true, reason: 'standby' };
    return this.synced ? { ok: true, reason: 'ok' } : { ok: false, reason: 'FleetCanaries not listed yet' };
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.term++;
    this.schedule(0);
  }

  /** Stops scheduling and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.active = false;
    this.synced = false;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (!this.active) return;
    const term = this.term;
    this.timer = setTimeout(() => {
      this.running = this.tick().then((delay) => {
        if (term === this.term) this.schedule(delay);
      });
    }, ms);
  }

  /** One round; returns the delay to the next. */
  private async tick(): Promise<number> {
    let nextMs = this.pollMs;
    let fleets: FleetObject[];
    try {
      fleets = (await this.deps.rest.get<{ items: FleetObject[] }>(fleetPath(this.namespace || undefined)))
        .items;
      this.synced = true;
    } catch (err) {
      this.synced = false;
      this.deps.log.warn({ err: apiMessage(err) }, 'cannot list FleetCanaries');
      return nextMs;
    }
    const names = new Set<string>();
    for (const fleet of fleets) {
      if (!this.active) break;
      const { namespace, name } = fleet.metadata;
      names.add(`${namespace}/${name}`);
      const started = performance.now();
      let result = 'ok';
      try {
        const { nextAt } = await reconcileFleet(fleet, this.deps);
        if (nextAt) nextMs = Math.min(nextMs, Math.max(100, nextAt.getTime() - this.deps.now().getTime()));
      } catch (err) {
        result = 'error';
        this.deps.log.error({ namespace, name, err: apiMessage(err) }, 'fleet pass failed');
      }
      this.deps.metrics.passes.observe({ namespace, name, result }, (performance.now() - started) / 1000);
    }
    // Ten rounds without a use: the Secret is gone or no FleetCanary selects it any more.
    pruneClients(this.deps.clients, this.deps.now().getTime(), 10 * this.pollMs);
    for (const key of this.seen) {
      if (names.has(key)) continue;
      const [namespace = '', name = ''] = key.split('/');
      this.deps.metrics.forget(namespace, name);
    }
    this.seen.clear();
    for (const k of names) this.seen.add(k);
    return nextMs;
  }
}
