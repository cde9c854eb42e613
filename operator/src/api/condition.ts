import { z } from 'zod';

// metav1.Condition, with the API server's own bounds and patterns, so that a condition the
// operator writes is one kstatus, Flux and Argo CD can read.
export const conditionSchema = z.object({
  type: z
    .string()
    .max(316)
    .regex(
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
    )
    .describe('Ready, Reconciling, Stalled or Promoted'),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().min(0).optional().describe('The generation this condition was set for'),
  lastTransitionTime: z.iso.datetime({ offset: true }).describe('When status last changed'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .describe('CamelCase reason of the last transition'),
  message: z.string().max(32768).describe('Human-readable detail'),
});
export type Condition = z.infer<typeof conditionSchema>;

/** A condition list merged by type, as Kubernetes lists of conditions are. */
export const conditionsSchema = z
  .array(conditionSchema)
  .max(16)
  .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
  .describe('Standard conditions, one per type');
