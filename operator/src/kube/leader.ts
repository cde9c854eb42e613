import type { KubeConfig, V1Lease, V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from './errors.ts';
import { KubeRest, resourcePath } from './rest.ts';

/**
 * Lease-based leader election (coordination.k8s.io/v1) with client-go's semantics:
 * - the holder renews every `retryPeriodMs`; every request is bounded by the time left before
 *   the renew deadline, so a hung connection cannot keep a renew "in flight" past it;
 * - a step-down timer armed at each successful renew fires at `renewDeadlineMs` whatever the
 *   requests are doing, so a leader that cannot renew stops acting before its lease can expire
 *   for anyone else (renewDeadline < leaseDuration);
 * - a candidate judges expiry by its OWN clock: a lease counts as expired `leaseDurationMs` after
 *   this process last saw its record change, never by comparing its clock with the holder's
 *   `renewTime` (clocks of two machines may disagree by more than a lease);
 * - optimistic concurrency on the Lease's resourceVersion decides races.
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
  /** Local clock; injectable for tests. */
  now?: () => number;
}

// MicroTime needs six fractional digits; client-node passes the string through unchanged.
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Thrown when a lease request did not answer within its share of the renew deadline. */
class LeaseTimeoutError extends Error {
  override name = 'LeaseTimeoutError';
}

export class LeaderElector {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stepDownTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** The lease record as last seen, and when (local clock) it was first seen that way. */
  private observed: { record: string; at: number } | undefined;
  private readonly api: KubeRest;
  private readonly o: Required<LeaderElectionOptions>;

  constructor(options: LeaderElectionOptions) {
    this.o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      now: () => Date.now(),
      ...options,
    };
    if (this.o.renewDeadlineMs >= this.o.leaseDurationMs) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
    if (this.o.retryPeriodMs >= this.o.renewDeadlineMs) {
      throw new Error('leader election: retryPeriod must be shorter than renewDeadline');
    }
    this.api = new KubeRest(this.o.kubeConfig);
  }

  private path(name?: string): string {
    return resourcePath({
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      namespace: this.o.namespace,
      name,
    });
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
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.o.retryPeriodMs);
  }

  private async tick(): Promise<void> {
    const started = this.o.now();
    try {
      // A leader's attempt may take at most what is left of its renew deadline; a candidate's, one retry period.
      const budget = this.leading ? this.o.renewDeadlineMs : this.o.retryPeriodMs;
      const acquired = await this.tryAcquireOrRenew(started, started + budget);
      if (acquired && !this.stopped) this.renewed(started);
    } catch (err) {
      this.o.log.warn({ err }, 'leader election: lease update failed');
    }
    this.schedule();
  }

  /** A successful acquire or renew at `at`: (re)arm the step-down timer from that moment. */
  private renewed(at: number): void {
    clearTimeout(this.stepDownTimer);
    const left = at + this.o.renewDeadlineMs - this.o.now();
    if (left <= 0) {
      this.stepDown('renew answered after the renew deadline');
      return;
    }
    this.stepDownTimer = setTimeout(() => this.stepDown('renew deadline passed'), left);
    if (!this.leading) {
      this.leading = true;
      this.o.log.info({ lease: `${this.o.namespace}/${this.o.name}` }, 'became leader');
      this.o.onStartedLeading();
    }
  }

  private stepDown(why: string): void {
    clearTimeout(this.stepDownTimer);
    if (!this.leading) return;
    this.leading = false;
    this.o.log.warn({ why }, 'stepping down as leader');
    this.o.onStoppedLeading();
  }

  /** Races a lease request with the deadline; the request itself is also cut by the client's timeout. */
  private async bounded<T>(what: string, deadline: number, call: () => Promise<T>): Promise<T> {
    const left = deadline - this.o.now();
    if (left <= 0) throw new LeaseTimeoutError(`lease ${what}: no time left before the deadline`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new LeaseTimeoutError(`lease ${what}: no answer in ${left} ms`)),
            left,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True when this process holds the lease after the call. */
  private async tryAcquireOrRenew(now: number, deadline: number): Promise<boolean> {
    const { namespace, name, identity } = this.o;
    // MicroTime fields have microseconds on the wire; the typed model declares them as Date,
    // hence the cast of the pre-formatted string.
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
      lease = await this.bounded('read', deadline, () => this.api.get<V1Lease>(this.path(name)));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.bounded('create', deadline, () =>
          this.api.create(this.path(), {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: spec(),
          }),
        );
        return true;
      } catch (createErr) {
        if (isConflict(createErr)) return false;
        throw createErr;
      }
    }
    const holder = lease.spec?.holderIdentity;
    // Expiry by local observation: the record (holder, renewTime, transitions) last changed when we saw it change.
    const record = JSON.stringify([holder, String(lease.spec?.renewTime), lease.spec?.leaseTransitions]);
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const duration = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    if (holder && holder !== identity && now - this.observed.at < duration) return false;
    try {
      await this.bounded('update', deadline, () =>
        this.api.replace(this.path(name), { ...lease, spec: { ...lease.spec, ...spec(lease) } }),
      );
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
    clearTimeout(this.stepDownTimer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const deadline = this.o.now() + this.o.renewDeadlineMs;
      const lease = await this.bounded('read', deadline, () => this.api.get<V1Lease>(this.path(this.o.name)));
      if (lease.spec?.holderIdentity === this.o.identity) {
        await this.bounded('release', deadline, () =>
          this.api.replace(this.path(this.o.name), {
            ...lease,
            spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 },
          }),
        );
      }
    } catch (err) {
      this.o.log.warn({ err }, 'leader election: could not release the lease');
    }
    this.o.onStoppedLeading();
  }
}
