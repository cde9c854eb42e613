import { z } from 'zod';

/**
 * The metadata fields fledge reads. Loose, because the API server owns metadata: parsing keeps
 * every other field (managedFields, ownerReferences...) untouched.
 */
export const objectMetaSchema = z.looseObject({
  name: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;
