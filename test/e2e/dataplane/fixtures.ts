// TEST INFRASTRUCTURE (loopback data plane): objects and checks the data plane's own e2e test uses,
// and that other e2e tests may reuse to stand up an app without the operator.
import type { V1Deployment } from '@kubernetes/client-node';
import { errorRateAnnotation, latencyAnnotation } from './behaviour.ts';

export interface AppVersion {
  image: string;
  errorRate: number;
  latencyMs: number;
}

/** A Deployment whose pod template carries the data plane's behaviour annotations. */
export function demoDeployment(name: string, v: AppVersion, replicas = 1): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: behaviourAnnotations(v) },
        spec: { containers: [{ name: 'app', image: v.image }] },
      },
    },
  };
}

export function behaviourAnnotations(v: Pick<AppVersion, 'errorRate' | 'latencyMs'>): Record<string, string> {
  return { [errorRateAnnotation]: String(v.errorRate), [latencyAnnotation]: String(v.latencyMs) };
}

/** An HTTPRoute like the one fledge writes for a plain canary: one rule, primary and canary weighted. */
export function weightedRoute(namespace: string, service: string, primary: number, canary: number): object {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: service, namespace },
    spec: {
      parentRefs: [{ name: 'gateway' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: backendRefs(service, primary, canary),
        },
      ],
    },
  };
}

export function backendRefs(service: string, primary: number, canary: number): object[] {
  return [
    { group: '', kind: 'Service', name: `${service}-primary`, port: 80, weight: primary },
    { group: '', kind: 'Service', name: `${service}-canary`, port: 80, weight: canary },
  ];
}

/**
 * How far an observed fraction of n Bernoulli(p) draws may stray from p: 4.5 standard deviations
 * (a false alarm about once in 150,000 runs) plus one request of rounding.
 */
export function samplingTolerance(p: number, n: number): number {
  return 4.5 * Math.sqrt((p * (1 - p)) / n) + 1 / n;
}
