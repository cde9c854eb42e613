import type { Plan } from './plan.ts';

/** Flagger's total weight: primary and canary weights always add up to it. */
export const TOTAL_WEIGHT = 100;

export interface Weights {
  primary: number;
  canary: number;
}

/** How far a release has exposed the canary: what a step advances and a restart resets. */
export interface Exposure {
  canaryWeight: number;
  iterations: number;
}

/**
 * Highest canary weight of a canary release. With stepWeights Flagger stops at the last listed
 * weight (it ignores maxWeight there; the API requires maxWeight >= that weight, so taking the
 * smaller of the two changes nothing for valid Canaries); otherwise maxWeight, default 100.
 */
export function maxWeightOf(plan: Plan): number {
  const cap = plan.maxWeight ?? TOTAL_WEIGHT;
  const last = plan.stepWeights?.at(-1);
  return last === undefined ? cap : Math.min(last, cap);
}

/**
 * Canary weight after one passing step of a canary release, never above maxWeight. Flagger
 * overshoots when maxWeight is not a multiple of stepWeight (maxWeight 50, stepWeight 20 gives
 * 20, 40, 60); fledge stops at 50, the documented meaning of maxWeight, in the same number of
 * steps. With stepWeights the next listed weight above the current one is taken, so a weight left
 * by a spec change mid-release continues on the list instead of jumping to 100 as Flagger does.
 */
export function nextWeight(plan: Plan, current: number): number {
  const max = maxWeightOf(plan);
  if (current >= max) return current;
  const listed = plan.stepWeights?.find((w) => w > current);
  const next = plan.stepWeights ? (listed ?? max) : current + (plan.stepWeight ?? max);
  return Math.min(next, max);
}

/** Whether the exposure reached the end of analysis: the next passing step promotes. */
export function exposureComplete(plan: Plan, exposure: Exposure): boolean {
  if (plan.strategy === 'canary') return exposure.canaryWeight >= maxWeightOf(plan);
  return exposure.iterations >= (plan.iterations ?? 1);
}

/**
 * Exposure after one passing step that does not promote. A/B testing routes all matched traffic to
 * the canary from the first step and counts iterations; blue/green counts iterations with no
 * traffic on the canary (users reach it through its own service) until the switch.
 */
export function advanceExposure(plan: Plan, exposure: Exposure): Exposure {
  switch (plan.strategy) {
    case 'canary':
      return { canaryWeight: nextWeight(plan, exposure.canaryWeight), iterations: exposure.iterations };
    case 'abtest':
      return { canaryWeight: TOTAL_WEIGHT, iterations: exposure.iterations + 1 };
    case 'bluegreen':
      return { canaryWeight: exposure.canaryWeight, iterations: exposure.iterations + 1 };
  }
}

/**
 * Passing steps that advance the exposure before the step that promotes: every weight increase of
 * a canary release (ceil(maxWeight/stepWeight), or the number of stepWeights up to maxWeight), the
 * iterations of A/B testing, and the iterations plus the traffic switch of blue/green. Flagger runs
 * pre-rollout hooks instead of metrics on the first of them (nothing is exposed yet) and checks
 * metrics once more at full exposure before promoting, so a clean release takes this many steps
 * plus one, at one interval each.
 */
export function stepsToPromotion(plan: Plan): number {
  if (plan.strategy === 'abtest') return plan.iterations ?? 1;
  if (plan.strategy === 'bluegreen') return (plan.iterations ?? 1) + 1;
  let steps = 0;
  for (let w = 0; w < maxWeightOf(plan); w = nextWeight(plan, w)) steps += 1;
  return steps;
}

/** Canary weight when promotion starts: maxWeight for a canary release, all traffic otherwise. */
export function weightAtPromotion(plan: Plan): number {
  return plan.strategy === 'canary' ? maxWeightOf(plan) : TOTAL_WEIGHT;
}

/**
 * Weights set during promotion, one entry per interval, ending at primary 100. Without
 * stepWeightPromotion all traffic returns to the primary at once. With it Flagger moves
 * stepWeightPromotion from canary to primary each interval, so the primary climbs from
 * 100 - maxWeight to 100 in ceil(maxWeight / stepWeightPromotion) intervals (the canary weight is
 * what is shifted, not 100 - maxWeight).
 */
export function promotionWeights(plan: Plan, fromCanary: number = weightAtPromotion(plan)): Weights[] {
  const step = plan.stepWeightPromotion;
  if (step === undefined || fromCanary <= 0) return [{ primary: TOTAL_WEIGHT, canary: 0 }];
  const weights: Weights[] = [];
  for (let canary = fromCanary; canary > 0;) {
    canary = Math.max(0, canary - step);
    weights.push({ primary: TOTAL_WEIGHT - canary, canary });
  }
  return weights;
}

/** The next promotion shift from the current canary weight. */
export function nextPromotionWeights(plan: Plan, canary: number): Weights {
  return promotionWeights(plan, canary)[0] ?? { primary: TOTAL_WEIGHT, canary: 0 };
}
