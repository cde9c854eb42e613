import { z } from 'zod';
import { notSupported, validated, withCel } from './cel.ts';
import { canaryAlertSchema } from './alert.ts';
import { durationSchema } from './duration.ts';
import { httpMatchSchema } from './match.ts';
import { canaryMetricSchema } from './metric.ts';
import { namedList } from './named-list.ts';
import { sessionAffinitySchema } from './session-affinity.ts';
import { canaryWebhookSchema } from './webhook.ts';

const weight = z.int().min(1).max(100);
const percent = z.int().min(0).max(100);

/** Strictly increasing: Flagger walks the list as successive canary weights. */
const stepWeightsSchema = withCel(
  z
    .array(weight)
    .min(1)
    .max(20) // the bound is what lets the API server accept a CEL rule over the list
    .refine((ws) => ws.every((w, i) => i === 0 || w > (ws[i - 1] ?? 0)), {
      message: 'stepWeights must be strictly increasing',
    }),
  [
    {
      rule: 'self.isSorted() && self.all(w, self.indexOf(w) == self.lastIndexOf(w))',
      message: 'stepWeights must be strictly increasing',
    },
  ],
);

/**
 * How a release is analysed. The strategy follows from the fields, as in Flagger: stepWeight or
 * stepWeights is a canary release; iterations is blue/green, or A/B testing with match.
 */
export const canaryAnalysisSchema = validated(
  z
    .object({
      interval: durationSchema.describe('Time between analysis steps'),
      threshold: z.int().min(1).default(1).describe('Failed checks that trigger a rollback'),
      maxWeight: weight.optional().describe('Highest canary weight before promotion; default 100'),
      stepWeight: weight.optional().describe('Weight added to the canary at every step'),
      stepWeights: stepWeightsSchema.optional().describe('Successive canary weights, strictly increasing'),
      stepWeightPromotion: weight
        .optional()
        .describe('Weight moved to the primary per step during promotion'),
      iterations: z.int().min(1).optional().describe('Analysis steps of a blue/green or A/B release'),
      match: z.array(httpMatchSchema).max(16).optional().describe('A/B conditions; needs iterations'),
      primaryReadyThreshold: percent.default(100).describe('Percentage of primary pods that must be ready'),
      canaryReadyThreshold: percent.default(100).describe('Percentage of canary pods that must be ready'),
      metrics: namedList(canaryMetricSchema, 32).optional().describe('Checks run at every step'),
      webhooks: namedList(canaryWebhookSchema, 32).optional().describe('Hooks called during the release'),
      alerts: namedList(canaryAlertSchema, 16).optional().describe('Where analysis events are sent'),
      mirror: z
        .boolean()
        .optional()
        .describe('Blue/green: copy live traffic to the canary during analysis, its answers dropped'),
      mirrorWeight: percent.optional().describe('Not supported yet'),
      sessionAffinity: sessionAffinitySchema.optional(),
    })
    .describe('How a new revision is analysed, in Flagger field names'),
  [
    {
      rule: '!has(self.stepWeight) || !has(self.stepWeights)',
      message: 'stepWeight and stepWeights are mutually exclusive',
      fieldPath: '.stepWeights',
      reason: 'FieldValueForbidden',
      holds: (self) => self.stepWeight === undefined || self.stepWeights === undefined,
    },
    {
      rule: 'has(self.iterations) || has(self.stepWeight) || has(self.stepWeights)',
      message: 'set stepWeight or stepWeights (canary release), or iterations (blue/green, A/B testing)',
      fieldPath: '.stepWeight',
      reason: 'FieldValueRequired',
      holds: (self) =>
        self.iterations !== undefined || self.stepWeight !== undefined || self.stepWeights !== undefined,
    },
    {
      rule: '!has(self.iterations) || (!has(self.stepWeight) && !has(self.stepWeights))',
      message:
        'iterations (blue/green, A/B testing) and stepWeight/stepWeights (canary release) are mutually exclusive',
      fieldPath: '.iterations',
      reason: 'FieldValueForbidden',
      holds: (self) =>
        self.iterations === undefined || (self.stepWeight === undefined && self.stepWeights === undefined),
    },
    {
      rule: '!has(self.maxWeight) || !has(self.iterations)',
      message: 'maxWeight applies to canary releases (stepWeight/stepWeights), not to iterations',
      fieldPath: '.maxWeight',
      reason: 'FieldValueForbidden',
      holds: (self) => self.maxWeight === undefined || self.iterations === undefined,
    },
    {
      rule: '!has(self.maxWeight) || !has(self.stepWeight) || self.maxWeight >= self.stepWeight',
      message: 'maxWeight must be greater than or equal to stepWeight',
      fieldPath: '.maxWeight',
      holds: (self) =>
        self.maxWeight === undefined || self.stepWeight === undefined || self.maxWeight >= self.stepWeight,
    },
    {
      // Flagger caps at the last step weight; a lower maxWeight would be silently ignored.
      rule: '!has(self.maxWeight) || !has(self.stepWeights) || self.maxWeight >= self.stepWeights.max()',
      message: 'maxWeight must be greater than or equal to the last of stepWeights',
      fieldPath: '.maxWeight',
      holds: (self) =>
        self.maxWeight === undefined ||
        self.stepWeights === undefined ||
        self.maxWeight >= Math.max(...self.stepWeights),
    },
    {
      rule: '!has(self.match) || has(self.iterations)',
      message: 'match (A/B testing) needs iterations',
      fieldPath: '.match',
      holds: (self) => self.match === undefined || self.iterations !== undefined,
    },
    {
      // Matched requests go to one side or the other; there is no weight to shift step by step.
      rule: '!has(self.stepWeightPromotion) || !has(self.match)',
      message:
        'stepWeightPromotion does not apply to A/B testing (match): matched traffic moves to the primary at once',
      fieldPath: '.stepWeightPromotion',
      reason: 'FieldValueForbidden',
      holds: (self) => self.stepWeightPromotion === undefined || self.match === undefined,
    },
    {
      // Flagger mirrors only in blue/green: a canary that takes weighted traffic needs no copy.
      rule: '!has(self.mirror) || !self.mirror || (has(self.iterations) && !has(self.match))',
      message: 'analysis.mirror needs a blue/green release: set analysis.iterations, without match',
      fieldPath: '.mirror',
      reason: 'FieldValueForbidden',
      holds: (self) => self.mirror !== true || (self.iterations !== undefined && self.match === undefined),
    },
    {
      // Stickiness follows the weighted split; blue/green and A/B have no split to stick to.
      rule: '!has(self.sessionAffinity) || !has(self.iterations)',
      message: 'analysis.sessionAffinity needs a canary release (stepWeight or stepWeights), not iterations',
      fieldPath: '.sessionAffinity',
      reason: 'FieldValueForbidden',
      holds: (self) => self.sessionAffinity === undefined || self.iterations === undefined,
    },
    notSupported('mirrorWeight', 'analysis.mirrorWeight'),
  ],
);
export type CanaryAnalysis = z.infer<typeof canaryAnalysisSchema>;
