import { z } from 'zod';
import { notSupported, validated } from './cel.ts';
import { opaqueObject } from './string-map.ts';

const matchValue = z.string().min(1).max(1024);

/** Istio's StringMatch as Flagger uses it for A/B conditions: exactly one way to compare. */
export const stringMatchSchema = validated(
  z.object({
    exact: matchValue.optional().describe('Equals this value'),
    prefix: matchValue.optional().describe('Starts with this value'),
    suffix: matchValue.optional().describe('Ends with this value'),
    regex: matchValue.optional().describe('Matches this RE2 regular expression'),
  }),
  [
    {
      rule: '[has(self.exact), has(self.prefix), has(self.suffix), has(self.regex)].filter(x, x).size() == 1',
      message: 'set exactly one of exact, prefix, suffix or regex',
      holds: (self) =>
        [self.exact, self.prefix, self.suffix, self.regex].filter((x) => x !== undefined).length === 1,
    },
  ],
);
export type StringMatch = z.infer<typeof stringMatchSchema>;

/** Name to condition, bounded: CEL cost estimates multiply by map sizes. */
function conditions(what: string) {
  return z
    .record(z.string().min(1).max(256), stringMatchSchema)
    .refine((h) => Object.keys(h).length <= 16, { message: `must have at most 16 ${what}` })
    .meta({ maxProperties: 16 });
}

/**
 * One A/B routing condition (Flagger's analysis.match item, an Istio HTTPMatchRequest); all its
 * conditions must hold for a request to reach the canary. Cookies go through the `cookie` header,
 * as Flagger documents. Flagger's CRD declares headers, queryParams and sourceLabels; uri and
 * method are the Istio fields the Gateway API router can also express.
 */
export const httpMatchSchema = validated(
  z.object({
    headers: conditions('headers').optional().describe('Header name to condition'),
    queryParams: conditions('query parameters')
      .optional()
      .describe('Query parameter name to condition (gatewayapi)'),
    uri: stringMatchSchema.optional().describe('Condition on the request path (gatewayapi)'),
    method: stringMatchSchema.optional().describe('Exact HTTP method (gatewayapi)'),
    sourceLabels: opaqueObject.optional().describe('Not supported (Istio mesh only in Flagger)'),
  }),
  [
    {
      rule:
        '(has(self.headers) && size(self.headers) > 0) || (has(self.queryParams) && size(self.queryParams) > 0)' +
        ' || has(self.uri) || has(self.method)',
      message: 'a match needs at least one condition: headers, queryParams, uri or method',
      reason: 'FieldValueRequired',
      holds: (self) =>
        Object.keys(self.headers ?? {}).length > 0 ||
        Object.keys(self.queryParams ?? {}).length > 0 ||
        self.uri !== undefined ||
        self.method !== undefined,
    },
    {
      rule: '!has(self.method) || has(self.method.exact)',
      message: 'method matches one exact HTTP method',
      fieldPath: '.method',
      holds: (self) => self.method === undefined || self.method.exact !== undefined,
    },
    notSupported('sourceLabels', 'analysis.match[].sourceLabels'),
  ],
);
export type HttpMatch = z.infer<typeof httpMatchSchema>;
