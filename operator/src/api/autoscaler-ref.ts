import { z } from 'zod';
import { validated } from './cel.ts';
import { objectName } from './refs.ts';
import { stringMap } from './string-map.ts';

// Flagger's tutorials still write autoscaling/v2beta2, which API servers since 1.26 no longer serve;
// the object is the same, so both names are accepted and fledge reads it as autoscaling/v2.
export const AUTOSCALER_API_VERSIONS = ['autoscaling/v2', 'autoscaling/v2beta2'] as const;
/** KEDA's ScaledObject API, the only version KEDA serves. */
export const SCALED_OBJECT_API_VERSION = 'keda.sh/v1alpha1';
export const AUTOSCALER_KINDS = ['HorizontalPodAutoscaler', 'ScaledObject'] as const;

/**
 * The target's autoscaler, copied to `<name>-primary` for the primary (Flagger's autoscalerRef): a
 * HorizontalPodAutoscaler, or a KEDA ScaledObject.
 */
export const autoscalerRefSchema = validated(
  z
    .object({
      apiVersion: z
        .string()
        .min(1)
        .max(253)
        .describe(
          'autoscaling/v2 (autoscaling/v2beta2 is read as v2), or keda.sh/v1alpha1 for a ScaledObject',
        ),
      // maxLength bounds the CEL cost of the rules comparing it; the enum alone does not.
      kind: z.enum(AUTOSCALER_KINDS).meta({ maxLength: 64 }),
      name: objectName.describe('Name of the autoscaler in the Canary namespace'),
      primaryScalerReplicas: z
        .object({
          minReplicas: z.int().min(1).optional(),
          maxReplicas: z.int().min(1).optional(),
        })
        .optional()
        .describe("Bounds of the primary's autoscaler, instead of the target autoscaler's"),
      primaryScalerQueries: stringMap()
        .optional()
        .describe(
          "ScaledObject only: trigger name -> the query of that trigger in the primary's copy (default: the target's query with the target's name changed to the primary's)",
        ),
    })
    .describe("The target's autoscaler; fledge keeps a <name>-primary copy scaling the primary"),
  [
    {
      rule: `self.kind != 'HorizontalPodAutoscaler' || self.apiVersion in [${AUTOSCALER_API_VERSIONS.map((v) => `'${v}'`).join(', ')}]`,
      message: `autoscalerRef.apiVersion must be ${AUTOSCALER_API_VERSIONS.join(' or ')} for kind HorizontalPodAutoscaler`,
      fieldPath: '.apiVersion',
      holds: (self) =>
        self.kind !== 'HorizontalPodAutoscaler' ||
        (AUTOSCALER_API_VERSIONS as readonly string[]).includes(self.apiVersion),
    },
    {
      rule: `self.kind != 'ScaledObject' || self.apiVersion == '${SCALED_OBJECT_API_VERSION}'`,
      message: `autoscalerRef.apiVersion must be ${SCALED_OBJECT_API_VERSION} for kind ScaledObject`,
      fieldPath: '.apiVersion',
      holds: (self) => self.kind !== 'ScaledObject' || self.apiVersion === SCALED_OBJECT_API_VERSION,
    },
    {
      rule: "self.kind == 'ScaledObject' || !has(self.primaryScalerQueries)",
      message: 'autoscalerRef.primaryScalerQueries rewrites KEDA triggers: kind ScaledObject only',
      fieldPath: '.primaryScalerQueries',
      reason: 'FieldValueForbidden',
      holds: (self) => self.kind === 'ScaledObject' || self.primaryScalerQueries === undefined,
    },
    {
      rule:
        '!has(self.primaryScalerReplicas) || !has(self.primaryScalerReplicas.minReplicas) ||' +
        ' !has(self.primaryScalerReplicas.maxReplicas) ||' +
        ' self.primaryScalerReplicas.minReplicas <= self.primaryScalerReplicas.maxReplicas',
      message: 'autoscalerRef.primaryScalerReplicas.minReplicas must not exceed maxReplicas',
      fieldPath: '.primaryScalerReplicas',
      holds: (self) => {
        const r = self.primaryScalerReplicas;
        return r?.minReplicas === undefined || r.maxReplicas === undefined || r.minReplicas <= r.maxReplicas;
      },
    },
  ],
);
export type AutoscalerRef = z.infer<typeof autoscalerRefSchema>;
