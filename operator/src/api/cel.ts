import type { z } from 'zod';

/** The `reason` values the API server accepts on an x-kubernetes-validations rule. */
export type CelReason =
  'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';

/** One x-kubernetes-validations entry, exactly as it lands in the CRD. */
export interface CelRule {
  rule: string;
  message: string;
  messageExpression?: string;
  /** Relative to the node the rule sits on (`.stepWeights`), so the API server's error names the field. */
  fieldPath?: string;
  reason?: CelReason;
}

/**
 * A cross-field rule written twice, side by side: in CEL for the API server (admission) and in
 * TypeScript for parseCanary (defence in depth). Keeping both halves in one literal is what stops
 * them drifting apart; the unit tests run every invalid example through both.
 */
export interface Rule<T> extends CelRule {
  holds: (self: T) => boolean;
}

const VALIDATIONS = 'x-kubernetes-validations';

/** Strips the TypeScript half, keeping a stable key order so generated YAML does not churn. */
function toCel(r: CelRule): CelRule {
  return {
    rule: r.rule,
    message: r.message,
    ...(r.messageExpression === undefined ? {} : { messageExpression: r.messageExpression }),
    ...(r.fieldPath === undefined ? {} : { fieldPath: r.fieldPath }),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  };
}

/** The CEL rules already attached to a schema (zod metadata is replaced, not merged, by `.meta()`). */
export function celRulesOf(schema: z.ZodType): readonly CelRule[] {
  const existing = schema.meta()?.[VALIDATIONS];
  return Array.isArray(existing) ? (existing as CelRule[]) : [];
}

/**
 * Attaches CEL rules that zod already enforces by other means (a narrowed enum, a regex), so only
 * the API server half is needed here.
 */
export function withCel<S extends z.ZodType>(schema: S, rules: readonly CelRule[]): S {
  return schema.meta({ ...schema.meta(), [VALIDATIONS]: [...celRulesOf(schema), ...rules.map(toCel)] });
}

/** `.stepWeights` or `.thresholdRange.min` as a zod issue path. */
export function fieldPathToPath(fieldPath: string | undefined): string[] {
  return fieldPath === undefined ? [] : fieldPath.split('.').filter((s) => s !== '');
}

/** Attaches rules to both halves: CEL metadata for the CRD and a zod refinement for parsing. */
export function validated<S extends z.ZodType>(schema: S, rules: readonly Rule<z.output<S>>[]): S {
  const refined = schema.superRefine((self, ctx) => {
    for (const r of rules) {
      if (r.holds(self)) continue;
      ctx.addIssue({
        code: 'custom',
        message: r.message,
        path: fieldPathToPath(r.fieldPath),
        input: self,
      });
    }
  });
  return withCel(refined, rules);
}

/**
 * A Flagger field fledge declares but refuses. Declared, because a structural schema silently
 * prunes unknown fields for clients that do not ask for strict validation; refused by CEL, so every
 * client gets the same error naming the field (DESIGN.md "Unknown fields").
 */
export function notSupported<T extends object>(
  field: keyof T & string,
  path: string,
  opts: { allowFalse?: boolean; hint?: string } = {},
): Rule<T> {
  const message = `${path} is not supported yet by fledge${opts.hint === undefined ? '' : `; ${opts.hint}`}`;
  return {
    rule: opts.allowFalse ? `!has(self.${field}) || self.${field} == false` : `!has(self.${field})`,
    message,
    fieldPath: `.${field}`,
    reason: 'FieldValueForbidden',
    holds: (self) => {
      const v: unknown = (self as Record<string, unknown>)[field];
      return v === undefined || (opts.allowFalse === true && v === false);
    },
  };
}
