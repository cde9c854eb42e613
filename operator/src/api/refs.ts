import { z } from 'zod';
import { validated } from './cel.ts';
import { supportedEnum } from './supported-enum.ts';

// Names as the API server bounds them; the bounds also keep CEL string comparisons cheap.
export const objectName = z.string().min(1).max(253);
export const namespaceName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS-1123 label' });
const apiVersion = z.string().min(1).max(253);

/** The kinds of workload fledge puts under canary (one file each under operator/src/workloads/). */
export const WORKLOAD_KINDS = ['Deployment', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** The workload under canary. Flagger also targets Services (Knative); fledge not. */
export const targetRefSchema = validated(
  z
    .object({
      apiVersion: apiVersion.describe('API version of the target: apps/v1'),
      kind: supportedEnum(WORKLOAD_KINDS, ['Service'], 'targetRef.kind'),
      name: objectName.describe('Name of the target in the Canary namespace'),
    })
    .describe('The workload whose new revisions are analysed and promoted'),
  [
    {
      rule: "self.apiVersion == 'apps/v1'",
      message: 'targetRef.apiVersion must be apps/v1 for kind Deployment or DaemonSet',
      fieldPath: '.apiVersion',
      // zod has already narrowed kind to the apps/v1 workloads here.
      holds: (self) => self.apiVersion === 'apps/v1',
    },
  ],
);

/** The Ingress the nginx provider clones into a canary Ingress. */
export const ingressRefSchema = validated(
  z
    .object({
      apiVersion: apiVersion.describe('networking.k8s.io/v1'),
      kind: z.enum(['Ingress']),
      name: objectName.describe('Name of the Ingress in the Canary namespace'),
    })
    .describe('The Ingress fledge clones into a canary Ingress (provider nginx)'),
  [
    {
      rule: "self.apiVersion == 'networking.k8s.io/v1'",
      message: 'ingressRef.apiVersion must be networking.k8s.io/v1',
      fieldPath: '.apiVersion',
      holds: (self) => self.apiVersion === 'networking.k8s.io/v1',
    },
  ],
);

/** An object in the Canary namespace or another one (templates, alert providers). */
export const crossNamespaceRefSchema = z.object({
  name: objectName.describe('Name of the referent'),
  namespace: namespaceName.optional().describe('Namespace of the referent; defaults to the Canary namespace'),
});

/** A Secret in the same namespace as the object that names it. */
export const localSecretRefSchema = z.object({ name: objectName.describe('Name of the Secret') });

/** A Gateway API parentRef, in Flagger's gatewayRefs shape (Gateway API's ParentReference). */
export const gatewayRefSchema = z.object({
  name: objectName.describe('Name of the parent (a Gateway unless kind says otherwise)'),
  namespace: namespaceName.optional().describe('Namespace of the parent; defaults to the Canary namespace'),
  group: z
    .string()
    .max(253)
    .regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/)
    .default('gateway.networking.k8s.io')
    .describe('API group of the parent'),
  kind: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/)
    .default('Gateway')
    .describe('Kind of the parent'),
  sectionName: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/)
    .optional()
    .describe('Listener name on the parent'),
  port: z.int().min(1).max(65535).optional().describe('Listener port on the parent'),
});
