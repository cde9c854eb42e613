import type { Effect, Plan } from '../../../operator/src/machine/index.ts';
import type { Simulation } from '../../../operator/src/machine/simulate.ts';

export const MINUTE = 60_000;

/** A small canary plan (10% steps to 30%, 2 failed checks to roll back); `over` changes any field. */
export const plan = (over: Partial<Plan> = {}): Plan => ({
  strategy: 'canary',
  intervalMs: MINUTE,
  threshold: 2,
  maxWeight: 30,
  stepWeight: 10,
  progressDeadlineSeconds: 600,
  revertOnDeletion: false,
  webhooks: [],
  ...over,
});

export const ofType = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);

/** The canary weights a simulated release set, in order. */
export const weightsSet = (r: Simulation) => ofType(r.effects, 'setWeights').map((e) => e.params.canary);
