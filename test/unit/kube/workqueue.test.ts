import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../operator/src/kube/workqueue.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('WorkQueue', () => {
  it('deduplicates a key added many times before it is processed', async () => {
    const q = new WorkQueue();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) q.add('a');
    q.add('b');
    const run = q.run(
      2,
      async (k) => void seen.push(k),
      () => {},
    );
    await new Promise((r) => setTimeout(r, 20));
    q.shutDown();
    await run;
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('never runs one key twice at once, and reruns a key added while it runs', async () => {
    const q = new WorkQueue();
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const done = deferred();
    const run = q.run(
      4,
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs++;
        if (runs === 1) await gate.promise;
        running--;
        if (runs === 2) done.resolve();
      },
      () => {},
    );
    q.add('k');
    await new Promise((r) => setTimeout(r, 10));
    q.add('k'); // arrives while the first run is in progress
    q.add('k');
    await new Promise((r) => setTimeout(r, 10));
    expect(runs).toBe(1);
    gate.resolve();
    await done.promise;
    q.shutDown();
    await run;
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('runs different keys concurrently', async () => {
    const q = new WorkQueue();
    const gate = deferred();
    let running = 0;
    let peak = 0;
    const run = q.run(
      3,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await gate.promise;
        running--;
      },
      () => {},
    );
    q.add('a');
    q.add('b');
    q.add('c');
    await new Promise((r) => setTimeout(r, 20));
    expect(peak).toBe(3);
    gate.resolve();
    q.shutDown();
    await run;
  });

  it('retries a failing key with growing backoff and honours requeueAfterMs', async () => {
    const q = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 40 });
    const times: number[] = [];
    const errors: string[] = [];
    const finished = deferred();
    const run = q.run(
      1,
      async () => {
        times.push(Date.now());
        if (times.length <= 3) throw new Error(`fail ${times.length}`);
        if (times.length === 4) return { requeueAfterMs: 15 };
        finished.resolve();
        return undefined;
      },
      (key, err) => errors.push(`${key}: ${(err as Error).message}`),
    );
    q.add('x');
    await finished.promise;
    q.shutDown();
    await run;
    expect(errors).toEqual(['x: fail 1', 'x: fail 2', 'x: fail 3']);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(4);
    expect(gaps[1]).toBeGreaterThanOrEqual(9);
    expect(gaps[2]).toBeGreaterThanOrEqual(19);
    expect(gaps[3]).toBeGreaterThanOrEqual(14);
  });

  it('keeps the earliest of two delayed adds', async () => {
    const q = new WorkQueue();
    const start = Date.now();
    const seen = deferred();
    let at = 0;
    const run = q.run(
      1,
      async () => {
        at = Date.now() - start;
        seen.resolve();
      },
      () => {},
    );
    q.addAfter('a', 10_000);
    q.addAfter('a', 20); // earlier: replaces the pending 10 s add
    q.addAfter('a', 5_000); // later: ignored
    await seen.promise;
    q.shutDown();
    await run;
    expect(at).toBeGreaterThanOrEqual(19);
    expect(at).toBeLessThan(5_000);
  });

  it('reports how long each key waited for a worker, from its first add', async () => {
    const waits: number[] = [];
    const q = new WorkQueue({ onWait: (s) => waits.push(s) });
    const gate = deferred();
    const handled: string[] = [];
    q.add('a');
    q.add('b');
    q.add('b'); // deduplicated: one wait, from the first add
    // One worker: b waits until a's pass (held by the gate) has ended.
    const run = q.run(
      1,
      async (k) => {
        handled.push(k);
        if (k === 'a') await gate.promise;
      },
      () => {},
    );
    await new Promise((r) => setTimeout(r, 30));
    expect(handled).toEqual(['a']);
    gate.resolve();
    while (handled.length < 2) await new Promise((r) => setTimeout(r, 1));
    q.shutDown();
    await run;
    expect(waits).toHaveLength(2);
    expect(waits[0]!).toBeLessThan(0.03);
    expect(waits[1]!).toBeGreaterThanOrEqual(0.025);
  });

  describe('urgent keys', () => {
    /** One worker, held on its first key while the test adds more; returns the order keys ran in. */
    async function order(
      arrange: (q: WorkQueue) => void,
      expected: number,
      q = new WorkQueue(),
    ): Promise<string[]> {
      const seen: string[] = [];
      const gate = deferred();
      const all = deferred();
      const run = q.run(
        1,
        async (k) => {
          seen.push(k);
          if (seen.length === 1) await gate.promise;
          if (seen.length === expected) all.resolve();
        },
        () => {},
      );
      q.add('first');
      await Promise.resolve();
      arrange(q);
      gate.resolve();
      await all.promise;
      q.shutDown();
      await run;
      return seen;
    }

    it('are handed out before ordinary ones, first in first out within each lane', async () => {
      const seen = await order((q) => {
        q.add('step-1');
        q.add('step-2');
        q.add('release-1', true);
        q.add('step-3');
        q.add('release-2', true);
      }, 6);
      expect(seen).toEqual(['first', 'release-1', 'release-2', 'step-1', 'step-2', 'step-3']);
    });

    it('move a key already waiting in the ordinary lane, once', async () => {
      const seen = await order((q) => {
        q.add('a');
        q.add('b');
        q.add('b', true);
        q.add('b', true);
        q.add('c', true);
      }, 4);
      expect(seen).toEqual(['first', 'b', 'c', 'a']);
    });

    it('keep a key that is running urgent for its rerun, and count in the depth', async () => {
      const depths: number[] = [];
      const q = new WorkQueue({ onDepth: (d) => depths.push(d) });
      const seen = await order(
        (queue) => {
          queue.add('other');
          queue.add('first', true); // arrives while it runs: its rerun goes first
          expect(queue.depth).toBe(1);
        },
        3,
        q,
      );
      expect(seen).toEqual(['first', 'first', 'other']);
      expect(Math.max(...depths)).toBe(2);
    });
  });
});
