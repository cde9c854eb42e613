// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// Weighted choice between backends. `random` draws each request independently (what Envoy and
// ingress-nginx do): the observed split matches the weights within binomial sampling error.
// `round-robin` is nginx's smooth weighted round robin: deterministic, exact over every cycle of
// sum(weights) requests, for tests that want no sampling error at all. Pure (random is injected).

export type SplitMode = 'random' | 'round-robin';

export interface Weighted<T> {
  value: T;
  weight: number;
}

/** Picks one item per call; `key` keeps separate round-robin state per rule. */
export interface Picker {
  pick<T>(key: string, items: ReadonlyArray<Weighted<T>>): T | undefined;
}

export function createPicker(mode: SplitMode, random: () => number = Math.random): Picker {
  const current = new Map<string, number[]>();
  return {
    pick<T>(key: string, items: ReadonlyArray<Weighted<T>>): T | undefined {
      const total = items.reduce((sum, i) => sum + Math.max(0, i.weight), 0);
      if (total <= 0) return undefined;
      if (mode === 'random') {
        let r = random() * total;
        for (const item of items) {
          r -= Math.max(0, item.weight);
          if (r < 0 && item.weight > 0) return item.value;
        }
        return items.findLast((i) => i.weight > 0)?.value;
      }
      const state = current.get(key) ?? items.map(() => 0);
      current.set(key, state);
      let best = -1;
      items.forEach((item, i) => {
        state[i] = (state[i] ?? 0) + Math.max(0, item.weight);
        if (best < 0 || (state[i] ?? 0) > (state[best] ?? 0)) best = i;
      });
      state[best] = (state[best] ?? 0) - total;
      return items[best]?.value;
    },
  };
}
