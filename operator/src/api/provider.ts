import { z } from 'zod';
import { supportedEnum } from './supported-enum.ts';

/** The traffic routers fledge has (one file each under operator/src/routers/). */
export const trafficProviderSchema = z.enum([
  'gatewayapi',
  'istio',
  'contour',
  'traefik',
  'nginx',
  'kubernetes',
]);
export type TrafficProvider = z.infer<typeof trafficProviderSchema>;

// Flagger's spellings of the Gateway API provider: its CRD has gatewayapi:v1 and gatewayapi:v1beta1
// (the HTTPRoute API version); plain gatewayapi is fledge's own.
export const GATEWAYAPI_NAMES = ['gatewayapi', 'gatewayapi:v1', 'gatewayapi:v1beta1'] as const;

/** Every `spec.provider` value fledge accepts: the one list the CRD, CEL rules and routers use. */
export const PROVIDER_NAMES = [
  ...GATEWAYAPI_NAMES,
  'istio',
  'contour',
  'traefik',
  'nginx',
  'kubernetes',
] as const;

// Every other provider in Flagger's CRD, refused by name rather than as an unknown value.
const FLAGGER_ONLY = [
  'apisix',
  'appmesh',
  'appmesh:v1beta2',
  'gatewayapi:v1alpha2',
  'gloo',
  'knative',
  'kuma',
  'linkerd',
  'osm',
  'skipper',
  'smi',
  'smi:v1alpha1',
  'smi:v1alpha2',
  'smi:v1alpha3',
];

export const providerNameSchema = supportedEnum(PROVIDER_NAMES, FLAGGER_ONLY, 'provider').describe(
  'Traffic provider: gatewayapi (also gatewayapi:v1, gatewayapi:v1beta1), istio, contour, traefik, nginx, or kubernetes (blue/green only)',
);
export type ProviderName = z.infer<typeof providerNameSchema>;

/** The router a Canary's provider selects: the three Gateway API spellings are one router. */
export function trafficProvider(name: ProviderName): TrafficProvider {
  return isGatewayApi(name) ? 'gatewayapi' : name;
}

function isGatewayApi(name: ProviderName): name is (typeof GATEWAYAPI_NAMES)[number] {
  return (GATEWAYAPI_NAMES as readonly string[]).includes(name);
}

/** CEL for "the provider is some spelling of gatewayapi", shared by the spec rules. */
export const CEL_IS_GATEWAYAPI = celProviderIn(GATEWAYAPI_NAMES);

/**
 * CEL for "the provider is one of these supported ones". Rules that forbid a field for some
 * providers use it, so an unsupported provider gets one error (its own), not one per field.
 */
export function celProviderIn(names: readonly ProviderName[]): string {
  return `self.provider in [${names.map((n) => `'${n}'`).join(', ')}]`;
}
