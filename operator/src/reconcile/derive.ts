import type { V1OwnerReference } from '@kubernetes/client-node';
import type { Workload } from '../workloads/workload.ts';
import { API_VERSION, DEFAULT_SESSION_MAX_AGE_SECONDS, durationMs, type Canary } from '../api/index.ts';
import type { Plan } from '../machine/plan.ts';
import type { RouteTarget } from '../routers/router.ts';
import { sessionCookies } from '../routers/session-affinity.ts';
import { discoverPorts, type ServicePlan } from '../workloads/primary.ts';

// Pure translations from a validated Canary to what the machine, the routers and the workload
// code take. They are the only places that read the Canary spec's shape.

export function ownerOf(canary: Canary): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'Canary',
    name: canary.metadata.name ?? '',
    uid: canary.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function serviceName(canary: Canary): string {
  return canary.spec.service.name ?? canary.spec.targetRef.name;
}

/**
 * What the routers are given. `release` (the route effect's) keys the session-affinity cookies;
 * without it, or without analysis.sessionAffinity, the route has none.
 */
export function routeTarget(canary: Canary, release?: string): RouteTarget {
  const svc = serviceName(canary);
  const owner = ownerOf(canary);
  const sticky = canary.spec.analysis.sessionAffinity;
  return {
    namespace: canary.metadata.namespace ?? '',
    canaryName: canary.metadata.name ?? '',
    apexService: svc,
    primaryService: `${svc}-primary`,
    canaryService: `${svc}-canary`,
    port: canary.spec.service.port,
    owner: { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid },
    ...(canary.spec.service.gatewayRefs ? { gatewayRefs: canary.spec.service.gatewayRefs } : {}),
    ...(canary.spec.service.hosts ? { hosts: canary.spec.service.hosts } : {}),
    ...(canary.spec.ingressRef ? { ingressRef: { name: canary.spec.ingressRef.name } } : {}),
    ...(canary.spec.analysis.match ? { match: canary.spec.analysis.match as RouteTarget['match'] } : {}),
    ...(canary.spec.service.apex ? { apexMetadata: canary.spec.service.apex } : {}),
    ...istioOf(canary.spec.service),
    ...(sticky && release
      ? {
          sessionAffinity: sessionCookies(
            {
              cookieName: sticky.cookieName,
              primaryCookieName: sticky.primaryCookieName,
              maxAgeSeconds: sticky.maxAge ?? DEFAULT_SESSION_MAX_AGE_SECONDS,
            },
            owner.uid,
            release,
          ),
        }
      : {}),
  };
}

/** Istio's service.gateways and service.trafficPolicy, when set. */
function istioOf(s: Canary['spec']['service']): Pick<RouteTarget, 'istio'> {
  if (s.gateways === undefined && s.trafficPolicy === undefined) return {};
  return {
    istio: {
      ...(s.gateways ? { gateways: s.gateways } : {}),
      ...(s.trafficPolicy !== undefined ? { trafficPolicy: s.trafficPolicy } : {}),
    },
  };
}

export function servicePlan(canary: Canary, target: Workload): ServicePlan {
  const s = canary.spec.service;
  const targetPort = s.targetPort ?? s.port;
  return {
    name: serviceName(canary),
    port: s.port,
    portName: s.portName ?? 'http',
    targetPort,
    ...(s.appProtocol ? { appProtocol: s.appProtocol } : {}),
    ...(s.portDiscovery ? { discoveredPorts: discoverPorts(target, targetPort) } : {}),
    metadata: { apex: s.apex, primary: s.primary, canary: s.canary },
  };
}

/** The release configuration the machine runs, with the strategy decided from the fields as Flagger does. */
export function planOf(canary: Canary): Plan {
  const a = canary.spec.analysis;
  const strategy: Plan['strategy'] =
    a.iterations !== undefined ? (a.match !== undefined ? 'abtest' : 'bluegreen') : 'canary';
  return {
    strategy,
    // The schema admits only parseable durations; 1 minute is Flagger's default if one slipped through.
    intervalMs: Math.max(durationMs(a.interval) ?? 60_000, 1),
    threshold: a.threshold,
    ...(strategy === 'canary' ? { maxWeight: a.maxWeight ?? 100 } : {}),
    ...(a.stepWeight !== undefined ? { stepWeight: a.stepWeight } : {}),
    ...(a.stepWeights !== undefined ? { stepWeights: a.stepWeights } : {}),
    ...(a.stepWeightPromotion !== undefined ? { stepWeightPromotion: a.stepWeightPromotion } : {}),
    ...(a.iterations !== undefined ? { iterations: a.iterations } : {}),
    ...(strategy === 'bluegreen' && a.mirror === true ? { mirror: true as const } : {}),
    ...(strategy === 'canary' && a.sessionAffinity ? { sessionAffinity: true as const } : {}),
    progressDeadlineSeconds: Math.max(canary.spec.progressDeadlineSeconds, 1),
    revertOnDeletion: canary.spec.revertOnDeletion ?? false,
    webhooks: [...new Set((a.webhooks ?? []).map((w) => w.type))],
    ...manualGatesOf(a.webhooks ?? []),
  };
}

/** Gate types with a hook that has no url: a person opens them (only present when there are some). */
function manualGatesOf(hooks: readonly { type: Plan['webhooks'][number]; url?: string | undefined }[]) {
  const manual = [...new Set(hooks.filter((w) => w.url === undefined).map((w) => w.type))];
  return manual.length > 0 ? { manualGates: manual } : {};
}
