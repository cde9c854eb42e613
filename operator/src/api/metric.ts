import { z } from 'zod';
import { validated } from './cel.ts';
import { durationSchema } from './duration.ts';
import { crossNamespaceRefSchema } from './refs.ts';
import { stringMap } from './string-map.ts';

/** Metric names Flagger (and fledge) answer with a built-in query for the provider. */
export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];
const CEL_BUILTIN_LIST = `[${BUILTIN_METRICS.map((m) => `'${m}'`).join(', ')}]`;
const CEL_BUILTIN = `self.name in ${CEL_BUILTIN_LIST}`;

export function isBuiltinMetric(name: string): name is BuiltinMetric {
  return (BUILTIN_METRICS as readonly string[]).includes(name);
}

export const thresholdRangeSchema = validated(
  z
    .object({
      min: z.number().optional().describe('The check fails when the value is below min'),
      max: z.number().optional().describe('The check fails when the value is above max'),
    })
    .describe('Accepted range of the metric value (request-duration in milliseconds)'),
  [
    {
      rule: 'has(self.min) || has(self.max)',
      message: 'thresholdRange needs min, max or both',
      reason: 'FieldValueRequired',
      holds: (self) => self.min !== undefined || self.max !== undefined,
    },
    {
      rule: '!has(self.min) || !has(self.max) || self.min <= self.max',
      message: 'thresholdRange.min must be less than or equal to thresholdRange.max',
      fieldPath: '.min',
      holds: (self) => self.min === undefined || self.max === undefined || self.min <= self.max,
    },
  ],
);
export type ThresholdRange = z.infer<typeof thresholdRangeSchema>;

/** One check run at every analysis step: a built-in metric, a MetricTemplate, or inline PromQL. */
export const canaryMetricSchema = validated(
  z.object({
    name: z
      .string()
      .min(1)
      .max(253)
      .describe('Name of the check; request-success-rate and request-duration are built in'),
    interval: durationSchema.default('1m').describe('Query window, the {{ interval }} template variable'),
    thresholdRange: thresholdRangeSchema.optional(),
    threshold: z
      .number()
      .min(0)
      .optional()
      .describe('Deprecated by Flagger: use thresholdRange (read as min for request-success-rate, else max)'),
    templateRef: crossNamespaceRefSchema.optional().describe('The MetricTemplate that holds the query'),
    templateVariables: stringMap(32).optional().describe('Values for {{ variables.<key> }} in the template'),
    query: z
      .string()
      .min(1)
      .max(16384)
      .optional()
      .describe('Inline PromQL run against spec.metricsServer or the operator default Prometheus'),
  }),
  [
    {
      rule: 'has(self.thresholdRange) || has(self.threshold)',
      message: 'a metric needs thresholdRange: without bounds a check cannot fail',
      fieldPath: '.thresholdRange',
      reason: 'FieldValueRequired',
      holds: (self) => self.thresholdRange !== undefined || self.threshold !== undefined,
    },
    {
      rule: '!has(self.thresholdRange) || !has(self.threshold)',
      message: 'threshold is the deprecated form of thresholdRange; set only thresholdRange',
      fieldPath: '.threshold',
      reason: 'FieldValueForbidden',
      holds: (self) => self.thresholdRange === undefined || self.threshold === undefined,
    },
    {
      rule: `${CEL_BUILTIN} || has(self.templateRef) || has(self.query)`,
      message:
        'a metric needs templateRef or query unless its name is request-success-rate or request-duration',
      fieldPath: '.templateRef',
      reason: 'FieldValueRequired',
      holds: (self) =>
        isBuiltinMetric(self.name) || self.templateRef !== undefined || self.query !== undefined,
    },
    {
      // Flagger would run both the built-in and the template under one name; fledge refuses it.
      rule: `!(${CEL_BUILTIN}) || (!has(self.templateRef) && !has(self.query))`,
      message:
        'request-success-rate and request-duration are built in; name a templated or inline metric differently',
      fieldPath: '.name',
      holds: (self) =>
        !isBuiltinMetric(self.name) || (self.templateRef === undefined && self.query === undefined),
    },
    {
      rule: '!has(self.templateRef) || !has(self.query)',
      message: 'set templateRef or query, not both',
      fieldPath: '.query',
      reason: 'FieldValueForbidden',
      holds: (self) => self.templateRef === undefined || self.query === undefined,
    },
  ],
);
export type CanaryMetric = z.infer<typeof canaryMetricSchema>;

/**
 * The bounds a check compares against. Flagger's deprecated `threshold` meant a minimum for
 * request-success-rate and a maximum for everything else; this keeps that meaning in one place.
 */
export function metricBounds(metric: CanaryMetric): ThresholdRange {
  if (metric.thresholdRange !== undefined) return metric.thresholdRange;
  if (metric.threshold === undefined) return {};
  return metric.name === 'request-success-rate' ? { min: metric.threshold } : { max: metric.threshold };
}
