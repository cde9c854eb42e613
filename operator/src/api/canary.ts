import { z } from 'zod';
import { canarySpecSchema } from './canary-spec.ts';
import { canaryStatusSchema } from './canary-status.ts';
import { API_VERSION } from './group.ts';
import { objectMetaSchema } from './object-meta.ts';
import { parseWith } from './parse.ts';
import type { Parsed } from './parse.ts';

export const canarySchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Canary'),
  metadata: objectMetaSchema,
  spec: canarySpecSchema,
  status: canaryStatusSchema.optional(),
});
/** A Canary with defaults applied, as the operator reads it. */
export type Canary = z.infer<typeof canarySchema>;
/** A Canary as a user writes it: defaulted fields may be left out. */
export type CanaryInput = z.input<typeof canarySchema>;

/**
 * Validates a Canary the way admission does (schema plus the CEL rules' TypeScript twins). The
 * API server has already checked objects it serves; this is defence in depth for objects that
 * predate a CRD upgrade or come from elsewhere (a file, a test).
 */
export function parseCanary(obj: unknown): Parsed<Canary> {
  return parseWith(canarySchema, obj);
}
