/**
 * A deduplicating, delayed, rate-limited work queue with the semantics of client-go's: a key is
 * queued at most once, is never handed to two workers at once, and a key added while it is being
 * processed runs again right after. Many keys are processed concurrently.
 *
 * Keys added as urgent (a new revision of a target: the change users wait to see picked up) are
 * handed out before the others, which are mostly scheduled analysis steps that lose nothing by
 * waiting behind them. Within each lane the order is first in, first out.
 */
export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  onDepth?: (depth: number) => void;
  /** How long a key waited from being added to being handed to a worker (client-go's queue duration). */
  onWait?: (seconds: number) => void;
}

export type Handler = (key: string) => Promise<{ requeueAfterMs?: number } | void>;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly urgentQueue: string[] = [];
  /** Keys to hand out first: waiting in urgentQueue, or being processed and to run again urgently. */
  private readonly urgent = new Set<string>();
  /** Keys waiting for a worker, with when they were first added (performance.now()). */
  private readonly dirty = new Map<string, number>();
  private readonly processing = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: Array<() => void> = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onDepth: (depth: number) => void;
  private readonly onWait: (seconds: number) => void;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.onDepth = options.onDepth ?? (() => {});
    this.onWait = options.onWait ?? (() => {});
  }

  add(key: string, urgent = false): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) {
      if (urgent && !this.urgent.has(key)) this.promote(key);
      return;
    }
    this.dirty.set(key, performance.now());
    if (urgent) this.urgent.add(key);
    if (!this.processing.has(key)) this.enqueue(key);
  }

  /** A key waiting in the ordinary lane moves to the urgent one (or runs again urgently). */
  private promote(key: string): void {
    this.urgent.add(key);
    if (this.processing.has(key)) return;
    const i = this.queue.indexOf(key);
    if (i >= 0) this.queue.splice(i, 1);
    this.urgentQueue.push(key);
  }

  private enqueue(key: string): void {
    (this.urgent.has(key) ? this.urgentQueue : this.queue).push(key);
    this.onDepth(this.depth);
    this.waiters.shift()?.();
  }

  /** Adds `key` after `delayMs`; an earlier pending add for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Requeues after an exponentially growing delay per key (a failing key never starves others). */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  get depth(): number {
    return this.queue.length + this.urgentQueue.length;
  }

  private async next(): Promise<string | undefined> {
    while (this.depth === 0) {
      if (this.shuttingDown) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const key = (this.urgentQueue.length > 0 ? this.urgentQueue : this.queue).shift()!;
    this.urgent.delete(key);
    this.onDepth(this.depth);
    const added = this.dirty.get(key);
    if (added !== undefined) this.onWait((performance.now() - added) / 1000);
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.enqueue(key);
  }

  /**
   * Runs `concurrency` workers until shutDown. A handler that throws is retried with backoff; one
   * that returns requeueAfterMs runs again then.
   */
  async run(
    concurrency: number,
    handle: Handler,
    onError: (key: string, err: unknown) => void,
  ): Promise<void> {
    const worker = async () => {
      for (;;) {
        const key = await this.next();
        if (key === undefined) return;
        try {
          const result = await handle(key);
          this.forget(key);
          if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
        } catch (err) {
          onError(key, err);
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Stops handing out keys; running handlers finish; pending delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.waiters.splice(0)) wake();
  }
}
