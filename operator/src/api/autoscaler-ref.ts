import { z } from 'zod';
import { validated } from './cel.ts';
import { objectName } from './refs.ts';
import { opaqueObject } from './string-map.ts';
import { supportedEnum } from './supported-enum.ts';

// Flagger's tutorials still write autoscaling/v2beta2, which API servers since 1.26 no longer serve;
// the object is the same, so both names are accepted and fledge reads it as autoscaling/v2.
export const AUTOSCALER_API_VERSIONS = ['autoscaling/v2', 'autoscaling/v2beta2'] as const;

/** The target's HorizontalPodAutoscaler, copied to `<name>-primary` for the primary (Flagger's autoscalerRef). */
export const autoscalerRefSchema = validated(
  z
    .object({
      apiVersion: z.string().min(1).max(253).describe('autoscaling/v2 (autoscaling/v2beta2 is read as v2)'),
      kind: supportedEnum(['HorizontalPodAutoscaler'], ['ScaledObject'], 'autoscalerRef.kind'),
      name: objectName.describe('Name of the HorizontalPodAutoscaler in the Canary namespace'),
      primaryScalerReplicas: z
        .object({
          minReplicas: z.int().min(1).optional(),
          maxReplicas: z.int().min(1).optional(),
        })
        .optional()
        .describe("Bounds of the primary's autoscaler, instead of the target autoscaler's"),
      primaryScalerQueries: opaqueObject.optional().describe('KEDA ScaledObject only: not supported yet'),
    })
    .describe("The target's autoscaler; fledge keeps a <name>-primary copy scaling the primary"),
  [
    {
      rule: `self.apiVersion in [${AUTOSCALER_API_VERSIONS.map((v) => `'${v}'`).join(', ')}]`,
      message: `autoscalerRef.apiVersion must be ${AUTOSCALER_API_VERSIONS.join(' or ')} for kind HorizontalPodAutoscaler`,
      fieldPath: '.apiVersion',
      holds: (self) => (AUTOSCALER_API_VERSIONS as readonly string[]).includes(self.apiVersion),
    },
    {
      rule: '!has(self.primaryScalerQueries)',
      message: 'autoscalerRef.primaryScalerQueries is not supported yet by fledge (KEDA ScaledObject only)',
      fieldPath: '.primaryScalerQueries',
      reason: 'FieldValueForbidden',
      holds: (self) => self.primaryScalerQueries === undefined,
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
