import type { V1DaemonSet, V1Deployment } from '@kubernetes/client-node';
import { isHeldAtZero, type Workload, type WorkloadKind } from './workload.ts';

export interface Readiness {
  ready: boolean;
  /** Why it is not ready yet, for status and events. */
  reason: string;
  /** The Deployment controller itself reports ProgressDeadlineExceeded. */
  deadlineExceeded: boolean;
}

/**
 * Whether a Deployment has rolled out with at least `thresholdPercent` of its desired replicas
 * available (Flagger's primaryReadyThreshold / canaryReadyThreshold). Zero desired replicas is
 * never ready: a canary scaled to zero cannot be analysed.
 */
export function deploymentReadiness(dep: V1Deployment | undefined, thresholdPercent = 100): Readiness {
  if (!dep) return { ready: false, reason: 'deployment not found', deadlineExceeded: false };
  const name = dep.metadata?.name ?? '';
  const status = dep.status ?? {};
  const desired = dep.spec?.replicas ?? 1;
  const deadlineExceeded =
    status.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') ??
    false;
  const notReady = (reason: string) => ({ ready: false, reason: `${name}: ${reason}`, deadlineExceeded });
  if ((status.observedGeneration ?? 0) < (dep.metadata?.generation ?? 0))
    return notReady('rollout not observed yet');
  if (desired === 0) return notReady('scaled to zero');
  const updated = status.updatedReplicas ?? 0;
  if (updated < desired) return notReady(`waiting for rollout: ${updated} of ${desired} updated replicas`);
  const total = status.replicas ?? 0;
  if (total > updated)
    return notReady(`waiting for rollout: ${total - updated} old replicas pending termination`);
  const needed = Math.ceil((desired * thresholdPercent) / 100);
  const available = status.availableReplicas ?? 0;
  if (available < needed)
    return notReady(`waiting for rollout: ${available} of ${needed} replicas available`);
  return { ready: true, reason: `${name}: ${available} of ${desired} replicas available`, deadlineExceeded };
}

/**
 * Whether a DaemonSet has rolled out to every node it should run on, with at least
 * `thresholdPercent` of those pods available. A DaemonSet held at zero, or one no node may run, is
 * never ready: there is nothing to analyse.
 */
export function daemonSetReadiness(ds: V1DaemonSet | undefined, thresholdPercent = 100): Readiness {
  if (!ds) return { ready: false, reason: 'daemonset not found', deadlineExceeded: false };
  const name = ds.metadata?.name ?? '';
  const status = ds.status;
  const notReady = (reason: string) => ({
    ready: false,
    reason: `${name}: ${reason}`,
    deadlineExceeded: false,
  });
  if ((status?.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0))
    return notReady('rollout not observed yet');
  if (isHeldAtZero(ds)) return notReady('scaled to zero');
  const desired = status?.desiredNumberScheduled ?? 0;
  if (desired === 0) return notReady('no node to run on');
  const updated = status?.updatedNumberScheduled ?? 0;
  if (updated < desired) return notReady(`waiting for rollout: ${updated} of ${desired} updated pods`);
  const needed = Math.ceil((desired * thresholdPercent) / 100);
  const available = status?.numberAvailable ?? 0;
  if (available < needed) return notReady(`waiting for rollout: ${available} of ${needed} pods available`);
  return {
    ready: true,
    reason: `${name}: ${available} of ${desired} pods available`,
    deadlineExceeded: false,
  };
}

/** The readiness of a target or primary of either kind. */
export function workloadReadiness(
  kind: WorkloadKind,
  w: Workload | undefined,
  thresholdPercent = 100,
): Readiness {
  return kind === 'DaemonSet'
    ? daemonSetReadiness(w as V1DaemonSet | undefined, thresholdPercent)
    : deploymentReadiness(w as V1Deployment | undefined, thresholdPercent);
}
