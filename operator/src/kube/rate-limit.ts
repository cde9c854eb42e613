/**
 * A token bucket for the operator's Kubernetes API requests (client-go's QPS and burst, which
 * client-node lacks): up to `burst` requests at once, then `qps` a second. A thousand canaries
 * resynced together must not flood the API server; a small cluster's normal traffic never waits.
 * Callers are served in order. The clock and the sleep are injectable for tests.
 */
export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private tokens: number;
  private last: number;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    qps: number,
    burst: number,
    now: () => number = () => performance.now(),
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.qps = qps;
    this.burst = burst;
    this.now = now;
    this.sleep = sleep;
    this.tokens = burst;
    this.last = now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const mine = this.turn.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        await this.sleep(((1 - this.tokens) / this.qps) * 1000);
        this.refill();
      }
      this.tokens -= 1;
    });
    this.turn = mine;
    return mine;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }
}
