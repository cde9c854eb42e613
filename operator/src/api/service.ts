import { z } from 'zod';
import { notSupported, validated } from './cel.ts';
import { gatewayRefSchema } from './refs.ts';
import { opaqueObject, stringMap } from './string-map.ts';

const metadataSchema = z
  .object({
    labels: stringMap().optional().describe('Labels to set'),
    annotations: stringMap().optional().describe('Annotations to set'),
  })
  .describe('Labels and annotations fledge sets on the generated Service');

const hostname = z.string().min(1).max(253);

/**
 * How the apex, primary and canary Services (and the provider's routes) are generated, in
 * Flagger's field names. Istio, App Mesh and routing-policy fields are declared and refused.
 */
export const canaryServiceSchema = validated(
  z
    .object({
      name: z
        .string()
        .max(55) // room for the -primary and -canary suffixes in a 63-character Service name
        .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS-1035 label' })
        .optional()
        .describe('Name of the apex Service; defaults to targetRef.name'),
      port: z.int().min(1).max(65535).describe('Port of the generated Services'),
      portName: z.string().min(1).max(15).optional().describe('Name of the Service port; defaults to http'),
      targetPort: z
        .union([z.int().min(1).max(65535), z.string().min(1).max(15)])
        .meta({ 'x-kubernetes-int-or-string': true })
        .optional()
        .describe('Container port number or name; defaults to port'),
      portDiscovery: z.boolean().optional().describe('Also expose every other container port of the target'),
      appProtocol: z.string().min(1).max(253).optional().describe('appProtocol of the Service port'),
      hosts: z
        .array(hostname)
        .max(16)
        .optional()
        .describe(
          'Hostnames of the generated HTTPRoute (gatewayapi; omitted: every hostname) or VirtualService (istio)',
        ),
      gatewayRefs: z
        .array(gatewayRefSchema)
        .max(32)
        .optional()
        .describe('Parents (Gateways) the generated HTTPRoute attaches to (gatewayapi, required there)'),
      apex: metadataSchema.optional(),
      primary: metadataSchema.optional(),
      canary: metadataSchema.optional(),
      // Declared so they are refused by name instead of pruned (see cel.ts notSupported).
      timeout: z.string().optional().describe('Not supported yet'),
      backendTimeout: z.string().optional().describe('Not supported yet'),
      retries: opaqueObject.optional().describe('Not supported yet'),
      headers: opaqueObject.optional().describe('Not supported yet'),
      corsPolicy: opaqueObject.optional().describe('Not supported yet'),
      rewrite: opaqueObject.optional().describe('Not supported yet'),
      match: z.array(opaqueObject).optional().describe('Not supported yet'),
      mirror: z.array(opaqueObject).optional().describe('Not supported yet'),
      trafficPolicy: opaqueObject
        .optional()
        .describe('Istio TrafficPolicy set on both DestinationRules (istio only); validated by Istio'),
      gateways: z
        .array(z.string().min(1).max(253))
        .max(16)
        .optional()
        .describe(
          'Istio Gateways of the VirtualService, <namespace>/<name> or mesh (istio only); default mesh',
        ),
      delegation: z.boolean().optional().describe('Not supported (Istio only in Flagger)'),
      meshName: z.string().optional().describe('Not supported (App Mesh only in Flagger)'),
      backends: z.array(z.string()).optional().describe('Not supported (App Mesh only in Flagger)'),
      headless: z.boolean().optional().describe('Not supported yet'),
      trafficDistribution: z.string().optional().describe('Not supported yet'),
      unmanagedMetadata: opaqueObject.optional().describe('Not supported yet'),
    })
    .describe('The Services and routes fledge generates'),
  [
    notSupported('timeout', 'service.timeout'),
    notSupported('backendTimeout', 'service.backendTimeout'),
    notSupported('retries', 'service.retries'),
    notSupported('headers', 'service.headers'),
    notSupported('corsPolicy', 'service.corsPolicy'),
    notSupported('rewrite', 'service.rewrite'),
    notSupported('match', 'service.match', { hint: 'A/B conditions go in analysis.match' }),
    notSupported('mirror', 'service.mirror'),
    notSupported('delegation', 'service.delegation', { allowFalse: true }),
    notSupported('meshName', 'service.meshName'),
    notSupported('backends', 'service.backends'),
    notSupported('headless', 'service.headless', { allowFalse: true }),
    notSupported('trafficDistribution', 'service.trafficDistribution'),
    notSupported('unmanagedMetadata', 'service.unmanagedMetadata'),
  ],
);
export type CanaryService = z.infer<typeof canaryServiceSchema>;
