import { z } from 'zod';
import { canarySpecSchema } from './canary-spec.ts';
import { canaryStatusSchema } from './canary-status.ts';
import { API_VERSION } from './group.ts';
import { objectMetaSchema } from './object-meta.ts';
import type { ProviderName } from './provider.ts';
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

/** A Canary whose traffic provider is known: its own spec.provider, or the operator's default. */
export type ResolvedCanary = Canary & { spec: Canary['spec'] & { provider: ProviderName } };

/**
 * Validates a Canary as the operator runs it: with spec.provider taken from `fallback` (the
 * operator's --mesh-provider, as Flagger's -mesh-provider) when the Canary names none, so every
 * provider rule that admission had to defer applies. No provider at all is an error naming both.
 */
export function parseWithDefaultProvider(
  obj: unknown,
  fallback: ProviderName | undefined,
): Parsed<ResolvedCanary> {
  const spec = (obj as { spec?: Record<string, unknown> } | null)?.spec;
  const named = spec?.['provider'] !== undefined;
  if (!named && fallback === undefined) {
    const parsed = parseCanary(obj);
    const missing = {
      path: 'spec.provider',
      message:
        "not set, and the operator has no default provider: set spec.provider, or the operator's --mesh-provider (chart value meshProvider)",
    };
    return { ok: false, errors: [...(parsed.ok ? [] : parsed.errors), missing] };
  }
  const filled = named ? obj : { ...(obj as object), spec: { ...spec, provider: fallback } };
  return parseCanary(filled) as Parsed<ResolvedCanary>;
}
