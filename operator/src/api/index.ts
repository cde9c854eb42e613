// The fledge API (fledge.dev/v1alpha1): zod schemas are the single source of truth; types are
// inferred from them and the CRDs in crds/ are generated from them (operator/src/tools/gen-crds.ts).
export * from './group.ts';
export * from './gitops-metadata.ts';
export * from './duration.ts';
export * from './http-url.ts';
export * from './provider.ts';
export * from './refs.ts';
export * from './autoscaler-ref.ts';
export * from './session-affinity.ts';
export * from './match.ts';
export * from './service.ts';
export * from './metric.ts';
export * from './webhook.ts';
export * from './command.ts';
export * from './alert.ts';
export * from './analysis.ts';
export * from './canary-spec.ts';
export * from './condition.ts';
export * from './canary-status.ts';
export * from './canary.ts';
export * from './metric-template.ts';
export * from './alert-provider.ts';
export * from './fleet-canary.ts';
export * from './parse.ts';
export * from './crd.ts';
export * from './crds.ts';
export type { CelRule, CelReason } from './cel.ts';
