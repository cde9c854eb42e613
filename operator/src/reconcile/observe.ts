import type { Canary } from '../api/index.ts';
import type { ObserveEvent } from '../machine/index.ts';
import type { Readiness } from '../status/waiting.ts';
import type { TargetObservation } from '../workloads/workload-target.ts';
import { REVISION_ANNOTATION } from '../workloads/primary.ts';
import { workloadReadiness } from '../workloads/readiness.ts';

/** Readiness of the primary and the target (the canary), with the Canary's thresholds. */
export function readinessOf(canary: Canary, obs: TargetObservation): Readiness {
  const a = canary.spec.analysis;
  const primary = workloadReadiness(obs.kind, obs.primary, a.primaryReadyThreshold);
  const target = workloadReadiness(obs.kind, obs.target, a.canaryReadyThreshold);
  return {
    primaryReady: primary.ready,
    primaryReason: primary.reason,
    canaryReady: target.ready,
    canaryReason: target.reason,
  };
}

/** The machine's view of the world for one pass. */
export function observe(canary: Canary, obs: TargetObservation, now: Date, deleting: boolean): ObserveEvent {
  const readiness = readinessOf(canary, obs);
  return {
    type: 'OBSERVE',
    now: now.getTime(),
    revision: obs.revision ?? '',
    primaryRevision: obs.primary?.metadata?.annotations?.[REVISION_ANNOTATION] ?? null,
    primaryReady: readiness.primaryReady,
    canaryReady: readiness.canaryReady,
    suspended: canary.spec.suspend ?? false,
    skipAnalysis: canary.spec.skipAnalysis ?? false,
    deleting,
  };
}
