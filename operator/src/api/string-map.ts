import { z } from 'zod';

/**
 * A string-to-string map (labels, annotations, webhook metadata, template variables). The size
 * bound travels to the CRD as maxProperties: CEL cost estimates multiply by map sizes, and an
 * unbounded map under a list makes the API server refuse rules elsewhere in the same schema.
 */
export function stringMap(maxProperties = 64) {
  return z
    .record(z.string(), z.string())
    .refine((m) => Object.keys(m).length <= maxProperties, {
      message: `must have at most ${maxProperties} entries`,
    })
    .meta({ maxProperties });
}

/** An object whose content fledge does not look at: kept as is by the API server. */
export const opaqueObject = z.record(z.string(), z.unknown());
