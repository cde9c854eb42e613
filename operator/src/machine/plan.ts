import { z } from 'zod';
import { webhookTypeSchema, type WebhookType } from '../api/webhook.ts';

// Flagger's webhook types, as the API defines them. `event` is a sink for Kubernetes events and
// never gates the machine.
export { webhookTypeSchema, type WebhookType } from '../api/webhook.ts';
export const webhookTypes = webhookTypeSchema.options;

export const strategies = ['canary', 'abtest', 'bluegreen'] as const;
export type Strategy = (typeof strategies)[number];

const weight = z.int().min(1).max(100);

/**
 * The release configuration, derived by the reconciler from `spec.analysis` (durations already in
 * milliseconds, the strategy already decided from stepWeight/stepWeights/iterations/match). It is
 * part of the persisted context, so a restarted operator finishes a release with the plan it began.
 */
export const planSchema = z
  .object({
    strategy: z.enum(strategies),
    intervalMs: z.int().min(1),
    threshold: z.int().min(1),
    maxWeight: weight.optional(),
    stepWeight: weight.optional(),
    stepWeights: z.array(weight).min(1).optional(),
    stepWeightPromotion: weight.optional(),
    iterations: z.int().min(1).optional(),
    /** Blue/green: the canary gets a copy of live traffic while analysed (analysis.mirror). */
    mirror: z.literal(true).optional(),
    /** Canary: users the split sends to the canary are kept there by a cookie (analysis.sessionAffinity). */
    sessionAffinity: z.literal(true).optional(),
    progressDeadlineSeconds: z.int().min(1),
    revertOnDeletion: z.boolean(),
    /** Types of the webhooks configured; a gate whose type is absent is open without a call. */
    webhooks: z.array(webhookTypeSchema),
    /** Gate types with a manual hook (no url): open only after a promote command for the release. */
    manualGates: z.array(webhookTypeSchema).min(1).optional(),
  })
  .superRefine((plan, ctx) => {
    // The machine loops on these numbers: a plan that cannot reach promotion must not start.
    if (plan.strategy === 'canary' && plan.stepWeight === undefined && plan.stepWeights === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['stepWeight'],
        message: 'a canary plan needs stepWeight or stepWeights',
      });
    }
    if (plan.strategy !== 'canary' && plan.iterations === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['iterations'],
        message: `a ${plan.strategy} plan needs iterations`,
      });
    }
    if (plan.mirror && plan.strategy !== 'bluegreen') {
      ctx.addIssue({ code: 'custom', path: ['mirror'], message: 'only a bluegreen plan mirrors' });
    }
    if (plan.sessionAffinity && plan.strategy !== 'canary') {
      ctx.addIssue({
        code: 'custom',
        path: ['sessionAffinity'],
        message: 'only a canary plan has a weighted split to stick to',
      });
    }
    const ws = plan.stepWeights ?? [];
    if (ws.some((w, i) => i > 0 && w <= (ws[i - 1] ?? 0))) {
      ctx.addIssue({
        code: 'custom',
        path: ['stepWeights'],
        message: 'stepWeights must be strictly increasing',
      });
    }
  });
export type Plan = z.infer<typeof planSchema>;

export function hasManualGates(plan: Plan): boolean {
  return (plan.manualGates?.length ?? 0) > 0;
}

export function isManualGate(plan: Plan, type: WebhookType): boolean {
  return plan.manualGates?.includes(type) ?? false;
}

export function hasWebhook(plan: Plan, type: WebhookType): boolean {
  return plan.webhooks.includes(type);
}
