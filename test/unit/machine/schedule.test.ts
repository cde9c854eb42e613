import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../operator/src/machine/plan.ts';
import {
  advanceExposure,
  exposureComplete,
  maxWeightOf,
  nextWeight,
  promotionWeights,
  stepsToPromotion,
  TOTAL_WEIGHT,
  weightAtPromotion,
} from '../../../operator/src/machine/schedule.ts';

const base: Plan = {
  strategy: 'canary',
  intervalMs: 60_000,
  threshold: 5,
  progressDeadlineSeconds: 600,
  revertOnDeletion: false,
  webhooks: [],
};
const canary = (over: Partial<Plan>): Plan => ({ ...base, ...over });

/** Canary weights of a clean release, from the first step to promotion. */
function weightsOf(plan: Plan): number[] {
  const weights: number[] = [];
  for (let w = 0; !exposureComplete(plan, { canaryWeight: w, iterations: 0 });) {
    w = advanceExposure(plan, { canaryWeight: w, iterations: 0 }).canaryWeight;
    weights.push(w);
  }
  return weights;
}

const weight = fc.integer({ min: 1, max: 100 });
const stepWeightPlan = fc
  .record({ maxWeight: weight, stepWeight: weight })
  .map(({ maxWeight, stepWeight }) => canary({ maxWeight, stepWeight }));
const stepWeightsPlan = fc
  .uniqueArray(weight, { minLength: 1, maxLength: 20 })
  .chain((ws) =>
    fc.record({ stepWeights: fc.constant(ws.sort((a, b) => a - b)), maxWeight: fc.option(weight) }),
  )
  .map(({ stepWeights, maxWeight }) => canary({ stepWeights, maxWeight: maxWeight ?? undefined }));
const anyCanaryPlan = fc.oneof(stepWeightPlan, stepWeightsPlan);

describe('canary weight schedule', () => {
  it.each([
    // Flagger's docs: maxWeight 50, stepWeight 5 promotes after 10 increases.
    { plan: canary({ maxWeight: 50, stepWeight: 5 }), weights: [5, 10, 15, 20, 25, 30, 35, 40, 45, 50] },
    // Flagger overshoots to 60 here; fledge stops at maxWeight in as many steps.
    { plan: canary({ maxWeight: 50, stepWeight: 20 }), weights: [20, 40, 50] },
    { plan: canary({ stepWeight: 25 }), weights: [25, 50, 75, 100] },
    { plan: canary({ stepWeights: [1, 2, 10, 80] }), weights: [1, 2, 10, 80] },
    { plan: canary({ stepWeights: [5, 10, 90], maxWeight: 50 }), weights: [5, 10, 50] },
  ])('$plan.stepWeight $plan.stepWeights up to $plan.maxWeight: $weights', ({ plan, weights }) => {
    expect(weightsOf(plan)).toEqual(weights);
    expect(stepsToPromotion(plan)).toBe(weights.length);
  });

  it('continues on the list from a weight that is not on it (a spec changed mid-release)', () => {
    expect(nextWeight(canary({ stepWeights: [10, 20, 40] }), 15)).toBe(20);
    expect(nextWeight(canary({ stepWeights: [10, 20, 40] }), 45)).toBe(45);
  });

  it('never exceeds maxWeight and always moves towards it', () => {
    fc.assert(
      fc.property(anyCanaryPlan, fc.integer({ min: 0, max: 100 }), (plan, current) => {
        const next = nextWeight(plan, current);
        const max = maxWeightOf(plan);
        if (current >= max) return next === current;
        return next > current && next <= max;
      }),
    );
  });

  it('keeps primary + canary = 100 at every step', () => {
    fc.assert(
      fc.property(anyCanaryPlan, (plan) =>
        weightsOf(plan).every((w) => {
          const primary = TOTAL_WEIGHT - w;
          return primary >= 0 && primary + w === TOTAL_WEIGHT;
        }),
      ),
    );
  });

  it('takes ceil(maxWeight / stepWeight) increases with stepWeight', () => {
    fc.assert(
      fc.property(stepWeightPlan, (plan) => {
        const steps = Math.ceil((plan.maxWeight ?? 100) / (plan.stepWeight ?? 1));
        return stepsToPromotion(plan) === steps && weightsOf(plan).length === steps;
      }),
    );
  });

  it('takes one increase per stepWeight up to maxWeight with stepWeights', () => {
    fc.assert(
      fc.property(stepWeightsPlan, (plan) => {
        const ws = plan.stepWeights ?? [];
        const cap = plan.maxWeight ?? 100;
        // Valid Canaries have maxWeight >= the last weight (CEL rule): exactly one step per listed weight.
        const expected = cap >= (ws.at(-1) ?? 0) ? ws.length : ws.filter((w) => w < cap).length + 1;
        return stepsToPromotion(plan) === expected && weightsOf(plan).at(-1) === maxWeightOf(plan);
      }),
    );
  });

  it('counts iterations for A/B testing and iterations plus the switch for blue/green', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (iterations) => {
        const ab = stepsToPromotion({ ...base, strategy: 'abtest', iterations });
        const bg = stepsToPromotion({ ...base, strategy: 'bluegreen', iterations });
        return ab === iterations && bg === iterations + 1;
      }),
    );
  });
});

describe('promotion weights (stepWeightPromotion)', () => {
  it.each([
    { plan: canary({ maxWeight: 50, stepWeight: 10 }), primary: [100] },
    { plan: canary({ maxWeight: 50, stepWeight: 10, stepWeightPromotion: 20 }), primary: [70, 90, 100] },
    { plan: canary({ maxWeight: 30, stepWeight: 10, stepWeightPromotion: 50 }), primary: [100] },
    {
      plan: { ...base, strategy: 'bluegreen', iterations: 3, stepWeightPromotion: 40 } as Plan,
      primary: [40, 80, 100],
    },
  ])(
    'from canary weight $plan.maxWeight by $plan.stepWeightPromotion: primary $primary',
    ({ plan, primary }) => {
      expect(promotionWeights(plan).map((w) => w.primary)).toEqual(primary);
    },
  );

  it('reaches primary 100 in ceil(maxWeight / stepWeightPromotion) intervals, weights summing to 100', () => {
    fc.assert(
      fc.property(stepWeightPlan, weight, (plan, stepWeightPromotion) => {
        const withPromotion = { ...plan, stepWeightPromotion };
        const weights = promotionWeights(withPromotion);
        const from = weightAtPromotion(withPromotion);
        return (
          weights.length === Math.ceil(from / stepWeightPromotion) &&
          weights.at(-1)?.primary === TOTAL_WEIGHT &&
          weights.every(
            (w, i) => w.primary + w.canary === TOTAL_WEIGHT && w.primary > (weights[i - 1]?.primary ?? 0),
          )
        );
      }),
    );
  });
});
