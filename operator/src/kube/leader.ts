import { CoordinationV1Api, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from './errors.ts';

/**
 * Lease-based leader election (coordination.k8s.io/v1), as client-go does it: the holder renews
 * every `retryPeriodMs`; a candidate takes over a lease not renewed for `leaseDurationMs`; a
 * leader that cannot renew within `renewDeadlineMs` steps down before anyone else may take over
 * (renewDeadline < leaseDuration), so two leaders never write at once. Optimistic concurrency on
 * the Lease's resourceVersion decides races.
 */
export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

// MicroTime needs six fractional digits; client-node passes the string through unchanged.
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const parseTime = (t: unknown): number =>
  t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : 0;

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly api: CoordinationV1Api;
  private readonly o: Required<LeaderElectionOptions>;

  constructor(options: LeaderElectionOptions) {
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    if (this.o.renewDeadlineMs >= this.o.leaseDurationMs) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
    this.api = this.o.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.o.retryPeriodMs);
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    try {
      const acquired = await this.tryAcquireOrRenew(now);
      if (acquired) {
        this.lastRenew = now;
        if (!this.leading && !this.stopped) {
          this.leading = true;
          this.o.log.info({ lease: `${this.o.namespace}/${this.o.name}` }, 'became leader');
          this.o.onStartedLeading();
        }
      }
    } catch (err) {
      this.o.log.warn({ err }, 'leader election: lease update failed');
    }
    if (this.leading && Date.now() - this.lastRenew > this.o.renewDeadlineMs)
      this.stepDown('renew deadline passed');
    this.schedule();
  }

  private stepDown(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.o.log.warn({ why }, 'stepping down as leader');
    this.o.onStoppedLeading();
  }

  /** True when this process holds the lease after the call. */
  private async tryAcquireOrRenew(now: number): Promise<boolean> {
    const { namespace, name, identity } = this.o;
    // The typed model declares MicroTime fields as Date, but serialises them with millisecond
    // precision; a pre-formatted string passes through untouched, hence the cast.
    const spec = (lease?: V1Lease): V1LeaseSpec =>
      ({
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
        acquireTime: lease?.spec?.holderIdentity === identity ? lease.spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions:
          (lease?.spec?.leaseTransitions ?? 0) + (lease && lease.spec?.holderIdentity !== identity ? 1 : 0),
      }) as unknown as V1LeaseSpec;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: spec() },
        });
        return true;
      } catch (createErr) {
        if (isConflict(createErr)) return false;
        throw createErr;
      }
    }
    const holder = lease.spec?.holderIdentity;
    const renewed = parseTime(lease.spec?.renewTime);
    const duration = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    if (holder && holder !== identity && now - renewed < duration) return false;
    try {
      await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: { ...lease, spec: { ...lease.spec, ...spec(lease) } },
      });
      return true;
    } catch (err) {
      if (isConflict(err)) return false; // another candidate won the race
      throw err;
    }
  }

  /** Stops campaigning; a leader releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
      if (lease.spec?.holderIdentity === this.o.identity) {
        await this.api.replaceNamespacedLease({
          name: this.o.name,
          namespace: this.o.namespace,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } },
        });
      }
    } catch (err) {
      this.o.log.warn({ err }, 'leader election: could not release the lease');
    }
    this.o.onStoppedLeading();
  }
}
