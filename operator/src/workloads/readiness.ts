import type { V1Deployment } from '@kubernetes/client-node';

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
