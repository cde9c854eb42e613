import { z } from 'zod';
import { notSupported, validated } from './cel.ts';
import { durationSchema } from './duration.ts';
import { httpUrl } from './http-url.ts';
import { stringMap } from './string-map.ts';

/** When a webhook is called, in Flagger's names and meanings. */
export const webhookTypeSchema = z
  .enum([
    'confirm-rollout',
    'pre-rollout',
    'rollout',
    'confirm-traffic-increase',
    'confirm-promotion',
    'post-rollout',
    'rollback',
    'event',
  ])
  .meta({ maxLength: 32 });
export type WebhookType = z.infer<typeof webhookTypeSchema>;

/** Gates a person can open: a webhook of these types without a url waits for `kubectl fledge promote`. */
export const MANUAL_GATE_TYPES = [
  'confirm-rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
] as const;
export function isManualGateType(type: WebhookType): boolean {
  return (MANUAL_GATE_TYPES as readonly string[]).includes(type);
}

export const canaryWebhookSchema = validated(
  z.object({
    name: z.string().min(1).max(253).describe('Name of the webhook, unique in the Canary'),
    // Flagger treats a missing type as rollout; the API server writes it down.
    type: webhookTypeSchema.default('rollout').describe('When the webhook is called'),
    url: httpUrl
      .optional()
      .describe(
        'Address fledge POSTs the canary payload to; none makes a gate manual (opened by `kubectl fledge promote`)',
      ),
    timeout: durationSchema.default('10s').describe('Request timeout'),
    retries: z
      .int()
      .min(0)
      .max(10)
      .optional()
      .describe('Retries of a failed request before it counts as failed'),
    muteAlert: z.boolean().optional().describe('Send no alert when this webhook fails'),
    metadata: stringMap().optional().describe('Key/value pairs sent in the payload'),
    disableTLS: z.boolean().optional().describe('Not supported yet'),
  }),
  [
    notSupported('disableTLS', 'webhooks[].disableTLS', { allowFalse: true }),
    {
      rule: `has(self.url) || self.type in [${MANUAL_GATE_TYPES.map((t) => `'${t}'`).join(', ')}]`,
      holds: (w) => w.url !== undefined || isManualGateType(w.type),
      message: `webhooks[].url is required unless the webhook is a manual gate (${MANUAL_GATE_TYPES.join(', ')})`,
      fieldPath: '.url',
      reason: 'FieldValueRequired',
    },
  ],
);
export type CanaryWebhook = z.infer<typeof canaryWebhookSchema>;
