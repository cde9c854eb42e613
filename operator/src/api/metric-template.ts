import { z } from 'zod';
import { notSupported, validated } from './cel.ts';
import { API_VERSION } from './group.ts';
import { objectMetaSchema } from './object-meta.ts';
import { parseWith } from './parse.ts';
import type { Parsed } from './parse.ts';
import { localSecretRefSchema } from './refs.ts';
import { supportedEnum } from './supported-enum.ts';
import { httpUrl } from './http-url.ts';

// Every metric provider Flagger's CRD knows besides Prometheus, refused by name.
const FLAGGER_ONLY = [
  'influxdb',
  'datadog',
  'externalmetrics',
  'stackdriver',
  'cloudwatch',
  'newrelic',
  'graphite',
  'dynatrace',
  'keptn',
  'splunk',
];

export const metricProviderSchema = validated(
  z
    .object({
      type: supportedEnum(['prometheus'], FLAGGER_ONLY, 'provider.type'),
      address: httpUrl.optional().describe('Base URL of the Prometheus HTTP API'),
      secretRef: localSecretRefSchema
        .optional()
        .describe('Secret with username and password (basic auth) or token (bearer) keys'),
      headers: z
        .record(z.string(), z.array(z.string()).max(16))
        .optional()
        .describe('Extra HTTP headers sent with every query, as in Go http.Header'),
      insecureSkipVerify: z.boolean().optional().describe('Do not verify the server TLS certificate'),
      region: z.string().optional().describe('Not supported (cloud providers only in Flagger)'),
    })
    .describe('Where the query runs'),
  [
    {
      rule: 'has(self.address)',
      message: 'provider.address is required for prometheus',
      fieldPath: '.address',
      reason: 'FieldValueRequired',
      holds: (self) => self.address !== undefined,
    },
    notSupported('region', 'provider.region'),
  ],
);

/**
 * A query SREs tune once and Canaries reference by name. Variables: {{ name }}, {{ namespace }},
 * {{ target }}, {{ service }}, {{ ingress }}, {{ interval }}, {{ variables.<key> }}.
 */
export const metricTemplateSpecSchema = z
  .object({
    provider: metricProviderSchema,
    query: z.string().min(1).max(65536).describe('Query template; must return a single value'),
  })
  .describe('A provider and a query template');
export type MetricTemplateSpec = z.infer<typeof metricTemplateSpecSchema>;

export const metricTemplateSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('MetricTemplate'),
  metadata: objectMetaSchema,
  spec: metricTemplateSpecSchema,
});
export type MetricTemplate = z.infer<typeof metricTemplateSchema>;

export function parseMetricTemplate(obj: unknown): Parsed<MetricTemplate> {
  return parseWith(metricTemplateSchema, obj);
}
