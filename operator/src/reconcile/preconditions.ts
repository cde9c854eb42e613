// What must hold before a pass applies anything to a target it found: one fledge can release, the provider's route
// kinds served, the referenced autoscaler present. Each failure is a Stalled condition naming the
// cause; nothing (primary, Services, routes) is written while one holds, so nothing is half-applied.
import type { ResolvedCanary } from '../api/index.ts';
import type { RouteKind, Router } from '../routers/router.ts';
import { Reason } from '../status/conditions.ts';
import type { TargetObservation } from '../workloads/workload-target.ts';
import { unknownQueryKeys } from '../workloads/scaled-object.ts';
import { unsupportedTarget, type Workload } from '../workloads/workload.ts';

export interface Blocker {
  reason: Reason;
  message: string;
}

export interface PreconditionDeps {
  router: (provider: string) => Router;
  /** Whether the API server serves a kind; without it every router's kinds are assumed served. */
  served?: ((apiVersion: string, kind: string) => Promise<boolean>) | undefined;
}

/** The first kind the Canary's router needs that the API server does not serve, if any. */
async function unservedKind(deps: PreconditionDeps, provider: string): Promise<RouteKind | undefined> {
  if (!deps.served) return undefined;
  for (const k of deps.router(provider).requiredKinds ?? []) {
    if (!(await deps.served(k.apiVersion, k.kind))) return k;
  }
  return undefined;
}

/** Why this pass must not apply anything to the target it found, or undefined; the first one wins. */
export async function blocker(
  deps: PreconditionDeps,
  canary: ResolvedCanary,
  obs: Pick<TargetObservation, 'kind' | 'autoscaler' | 'autoscalerUnserved'> & { target: Workload },
): Promise<Blocker | undefined> {
  const namespace = canary.metadata.namespace ?? '';
  const { autoscaler } = obs;
  const unsupported = unsupportedTarget(obs.kind, obs.target);
  if (unsupported) return { reason: Reason.TargetNotSupported, message: unsupported };
  // Picked up again by the periodic resync once the CRDs are installed.
  const unserved = await unservedKind(deps, canary.spec.provider);
  if (unserved) {
    return {
      reason: Reason.ProviderNotInstalled,
      message: `provider ${canary.spec.provider}: ${unserved.apiVersion} ${unserved.kind} is not served by the API server (install the provider's CRDs)`,
    };
  }
  // Without the target's HPA there is nothing to copy to the primary, and scaling the canary by
  // hand would fight an HPA that appears later: nothing is applied until it exists.
  const autoscalerRef = canary.spec.autoscalerRef;
  if (autoscalerRef && obs.autoscalerUnserved) {
    return {
      reason: Reason.AutoscalerNotFound,
      message: `spec.autoscalerRef: ${autoscalerRef.apiVersion} ${autoscalerRef.kind} is not served by the API server (install KEDA's CRDs)`,
    };
  }
  if (autoscalerRef && !autoscaler) {
    return {
      reason: Reason.AutoscalerNotFound,
      message: `spec.autoscalerRef: ${autoscalerRef.kind} ${namespace}/${autoscalerRef.name} not found`,
    };
  }
  // A query for a trigger the ScaledObject does not have would be silently unused.
  if (autoscalerRef && autoscaler?.kind === 'ScaledObject') {
    const unknown = unknownQueryKeys(autoscalerRef, autoscaler.object);
    if (unknown.length > 0) {
      return {
        reason: Reason.AutoscalerNotFound,
        message: `spec.autoscalerRef.primaryScalerQueries: ScaledObject ${namespace}/${autoscalerRef.name} has no trigger named ${unknown.join(', ')} (a trigger needs a name to be given a query)`,
      };
    }
  }
  return undefined;
}
