import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../operator/src/kube/rate-limit.ts';

/** A clock that only moves when the bucket sleeps. */
function fakeClock() {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
    advance: (ms: number) => (t += ms),
  };
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then one request per 1/qps, in order', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 3, clock.now, clock.sleep);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(clock.slept.map((ms) => Math.round(ms))).toEqual([100, 100]);
  });

  it('refills with time, up to the burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 2, clock.now, clock.sleep);
    await bucket.take();
    await bucket.take();
    clock.advance(10_000); // long idle: two tokens again, not a hundred
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(clock.slept.map((ms) => Math.round(ms))).toEqual([100]);
  });
});
