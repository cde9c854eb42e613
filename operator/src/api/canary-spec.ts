import { z } from 'zod';
import { autoscalerRefSchema } from './autoscaler-ref.ts';
import { notSupported, validated, type Rule } from './cel.ts';
import { canaryAnalysisSchema } from './analysis.ts';
import {
  CEL_IS_GATEWAYAPI,
  celProviderIn,
  PROVIDER_NAMES,
  providerNameSchema,
  trafficProvider,
  type ProviderName,
} from './provider.ts';
import { ingressRefSchema, targetRefSchema } from './refs.ts';
import { canaryServiceSchema } from './service.ts';
import { httpUrl } from './http-url.ts';
import { opaqueObject } from './string-map.ts';

/**
 * A Canary's spec in Flagger v1beta1 names and meanings: a Flagger Canary that uses only what
 * fledge supports is accepted after changing its apiVersion. Provider-specific rules live here
 * because they relate fields in different branches (provider, ingressRef, service, analysis).
 */
const canarySpecObject = z
  .object({
    provider: providerNameSchema
      .optional()
      .describe(
        "Traffic provider: gatewayapi (also gatewayapi:v1, gatewayapi:v1beta1), istio, contour, traefik, nginx, or kubernetes (blue/green only); default: the operator's --mesh-provider",
      ),
    targetRef: targetRefSchema,
    ingressRef: ingressRefSchema.optional(),
    service: canaryServiceSchema,
    analysis: canaryAnalysisSchema,
    metricsServer: httpUrl
      .optional()
      .describe('Prometheus for built-in and inline-query metrics of this Canary'),
    progressDeadlineSeconds: z
      .int()
      .min(0)
      .default(600)
      .describe('Seconds a rollout may take to make progress before it counts as failed'),
    skipAnalysis: z.boolean().optional().describe('Promote new revisions without analysis'),
    suspend: z.boolean().optional().describe('Pause: no new release starts and a running one holds'),
    revertOnDeletion: z
      .boolean()
      .optional()
      .describe('On deletion, give the target back its traffic and replicas'),
    autoscalerRef: autoscalerRefSchema.optional(),
    routeRef: opaqueObject.optional().describe('Not supported (APISIX only in Flagger)'),
    upstreamRef: opaqueObject.optional().describe('Not supported (Gloo only in Flagger)'),
  })
  .describe('What to release and how, in Flagger v1beta1 field names');
type SpecObject = z.output<typeof canarySpecObject>;
type WithProvider = SpecObject & { provider: ProviderName };

/**
 * A provider rule holds when the Canary names no provider: admission cannot know the operator's
 * --mesh-provider, so the operator checks those Canaries itself with the provider filled in
 * (withDefaultProvider) and reports a violation as a Stalled condition naming the field.
 */
function unlessProviderUnset(r: Rule<WithProvider>): Rule<SpecObject> {
  return {
    ...r,
    rule: `!has(self.provider) || (${r.rule})`,
    holds: (self) => self.provider === undefined || r.holds(self as WithProvider),
  };
}

const providerRules: Rule<WithProvider>[] = [
  {
    rule: "self.provider != 'nginx' || has(self.ingressRef)",
    message: 'ingressRef is required when provider is nginx',
    fieldPath: '.ingressRef',
    reason: 'FieldValueRequired',
    holds: (self) => self.provider !== 'nginx' || self.ingressRef !== undefined,
  },
  {
    rule: `!(${celProviderIn(PROVIDER_NAMES.filter((n) => n !== 'nginx'))}) || !has(self.ingressRef)`,
    message: 'ingressRef is only used when provider is nginx',
    fieldPath: '.ingressRef',
    reason: 'FieldValueForbidden',
    holds: (self) => self.provider === 'nginx' || self.ingressRef === undefined,
  },
  {
    rule: `!(${CEL_IS_GATEWAYAPI}) || (has(self.service.gatewayRefs) && size(self.service.gatewayRefs) > 0)`,
    message: 'service.gatewayRefs is required when provider is gatewayapi',
    fieldPath: '.service.gatewayRefs',
    reason: 'FieldValueRequired',
    holds: (self) =>
      trafficProvider(self.provider) !== 'gatewayapi' || (self.service.gatewayRefs ?? []).length > 0,
  },
  {
    rule: `!(${celProviderIn(['istio', 'contour', 'traefik', 'nginx', 'kubernetes'])}) || !has(self.service.gatewayRefs)`,
    message: 'service.gatewayRefs is only used when provider is gatewayapi',
    fieldPath: '.service.gatewayRefs',
    reason: 'FieldValueForbidden',
    holds: (self) =>
      trafficProvider(self.provider) === 'gatewayapi' || self.service.gatewayRefs === undefined,
  },
  {
    rule: `!(${celProviderIn(['contour', 'traefik', 'nginx', 'kubernetes'])}) || !has(self.service.hosts)`,
    message:
      'service.hosts is only used when provider is gatewayapi or istio (nginx takes hosts from the Ingress, contour from the root HTTPProxy, traefik from the IngressRoute)',
    fieldPath: '.service.hosts',
    reason: 'FieldValueForbidden',
    holds: (self) =>
      !['contour', 'traefik', 'nginx', 'kubernetes'].includes(self.provider) ||
      self.service.hosts === undefined,
  },
  {
    // A RequestMirror filter or a VirtualService mirror; neither an ingress-nginx canary nor a Service can copy requests.
    rule: `${CEL_IS_GATEWAYAPI} || self.provider in ['istio', 'contour'] || !has(self.analysis.mirror) || !self.analysis.mirror`,
    message:
      'analysis.mirror needs provider gatewayapi (an HTTPRoute RequestMirror filter), istio or contour (a mirror service)',
    fieldPath: '.analysis.mirror',
    reason: 'FieldValueForbidden',
    holds: (self) =>
      ['gatewayapi', 'istio', 'contour'].includes(trafficProvider(self.provider)) ||
      self.analysis.mirror !== true,
  },
  {
    rule: "self.provider == 'istio' || !has(self.service.gateways)",
    message:
      'service.gateways (Istio Gateways) is only used when provider is istio; for Gateway API use service.gatewayRefs',
    fieldPath: '.service.gateways',
    reason: 'FieldValueForbidden',
    holds: (self) => self.provider === 'istio' || self.service.gateways === undefined,
  },
  {
    // Istio refuses a wildcard host on the mesh gateway; every pass would then fail writing the VirtualService.
    rule:
      "self.provider != 'istio' || !has(self.service.hosts) || !self.service.hosts.exists(h, h == '*') ||" +
      " (has(self.service.gateways) && size(self.service.gateways) > 0 && !self.service.gateways.exists(g, g == 'mesh'))",
    message:
      "service.hosts '*' needs service.gateways without mesh: Istio refuses a wildcard host for the mesh",
    fieldPath: '.service.hosts',
    reason: 'FieldValueForbidden',
    holds: (self) =>
      self.provider !== 'istio' ||
      !(self.service.hosts ?? []).includes('*') ||
      ((self.service.gateways ?? []).length > 0 && !(self.service.gateways ?? []).includes('mesh')),
  },
  {
    rule: "self.provider == 'istio' || !has(self.service.trafficPolicy)",
    message: 'service.trafficPolicy (DestinationRule) is only used when provider is istio',
    fieldPath: '.service.trafficPolicy',
    reason: 'FieldValueForbidden',
    holds: (self) => self.provider === 'istio' || self.service.trafficPolicy === undefined,
  },
  {
    // Cookie matches and per-backend Set-Cookie filters are HTTPRoute features (Flagger: Istio, Gateway API).
    rule: `${CEL_IS_GATEWAYAPI} || !has(self.analysis.sessionAffinity)`,
    message: 'analysis.sessionAffinity needs provider gatewayapi (HTTPRoute cookie matches)',
    fieldPath: '.analysis.sessionAffinity',
    reason: 'FieldValueForbidden',
    holds: (self) =>
      trafficProvider(self.provider) === 'gatewayapi' || self.analysis.sessionAffinity === undefined,
  },
  {
    // Flagger silently turns such a Canary into 10 blue/green iterations; fledge says so instead.
    rule: "self.provider != 'kubernetes' || has(self.analysis.iterations)",
    message: 'provider kubernetes cannot shift traffic: set analysis.iterations (blue/green)',
    fieldPath: '.analysis.iterations',
    reason: 'FieldValueRequired',
    holds: (self) => self.provider !== 'kubernetes' || self.analysis.iterations !== undefined,
  },
  {
    // The machine would emit a partial weight the router refuses, and the Canary would stall mid-promotion.
    rule: "self.provider != 'kubernetes' || !has(self.analysis.stepWeightPromotion)",
    message:
      'provider kubernetes switches all traffic at once: analysis.stepWeightPromotion needs gatewayapi or nginx',
    fieldPath: '.analysis.stepWeightPromotion',
    reason: 'FieldValueForbidden',
    holds: (self) => self.provider !== 'kubernetes' || self.analysis.stepWeightPromotion === undefined,
  },
  {
    rule: "self.provider != 'kubernetes' || !has(self.analysis.match)",
    message:
      'provider kubernetes cannot route by header: analysis.match (A/B testing) needs gatewayapi or nginx',
    fieldPath: '.analysis.match',
    reason: 'FieldValueForbidden',
    holds: (self) => self.provider !== 'kubernetes' || self.analysis.match === undefined,
  },
  {
    // A TraefikService only weighs Services; header routing would live in the user's IngressRoute.
    rule: "self.provider != 'traefik' || !has(self.analysis.match)",
    message:
      'provider traefik cannot route by header (A/B testing): analysis.match needs gatewayapi, istio, contour or nginx',
    fieldPath: '.analysis.match',
    reason: 'FieldValueForbidden',
    holds: (self) => self.provider !== 'traefik' || self.analysis.match === undefined,
  },
  {
    rule: "self.provider != 'contour' || !has(self.analysis.match) || self.analysis.match.all(m, !has(m.method))",
    message:
      'provider contour cannot match on the HTTP method: analysis.match method needs gatewayapi or istio',
    fieldPath: '.analysis.match',
    reason: 'FieldValueForbidden',
    holds: (self) => self.provider !== 'contour' || (self.analysis.match ?? []).every((m) => !m.method),
  },
  {
    rule:
      "self.provider != 'nginx' || !has(self.analysis.match) ||" +
      ' self.analysis.match.all(m, !has(m.queryParams) && !has(m.uri) && !has(m.method))',
    message:
      'provider nginx routes A/B by headers and cookies only: queryParams, uri and method need gatewayapi',
    fieldPath: '.analysis.match',
    reason: 'FieldValueForbidden',
    holds: (self) =>
      self.provider !== 'nginx' ||
      (self.analysis.match ?? []).every((m) => !m.queryParams && !m.uri && !m.method),
  },
];

export const canarySpecSchema = validated(canarySpecObject, [
  ...providerRules.map(unlessProviderUnset),
  {
    // A DaemonSet runs one pod per node: there is no replica count for an HPA to set.
    rule: "!has(self.autoscalerRef) || self.targetRef.kind == 'Deployment'",
    message: 'autoscalerRef needs a Deployment target (a DaemonSet runs one pod per node)',
    fieldPath: '.autoscalerRef',
    reason: 'FieldValueForbidden',
    holds: (self) => self.autoscalerRef === undefined || self.targetRef.kind === 'Deployment',
  },
  notSupported('routeRef', 'routeRef'),
  notSupported('upstreamRef', 'upstreamRef'),
]);
export type CanarySpec = z.infer<typeof canarySpecSchema>;
export type CanarySpecInput = z.input<typeof canarySpecSchema>;
