import { z } from 'zod';
import { crossNamespaceRefSchema } from './refs.ts';

export const alertSeveritySchema = z.enum(['info', 'warn', 'error']);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

/** Where analysis events are sent; severity filters what reaches the provider. */
export const canaryAlertSchema = z.object({
  name: z.string().min(1).max(253).describe('Name of the alert, unique in the Canary'),
  severity: alertSeveritySchema.default('info').describe('Lowest severity sent: info, warn or error'),
  providerRef: crossNamespaceRefSchema.describe('The AlertProvider to send to'),
});
export type CanaryAlert = z.infer<typeof canaryAlertSchema>;
