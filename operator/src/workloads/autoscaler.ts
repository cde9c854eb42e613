import type { V1OwnerReference, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { AutoscalerRef } from '../api/autoscaler-ref.ts';
import { GITOPS_OPT_OUT, withoutInventory } from '../api/gitops-metadata.ts';
import { MANAGED_BY } from '../api/group.ts';
import type { KubeObject } from '../routers/kube-object.ts';
import { sameJson, withOwner } from '../routers/object-meta.ts';
import type { ScaledObject } from './scaled-object.ts';

export const AUTOSCALER_API_VERSION = 'autoscaling/v2';

/** `<hpa>-primary`, Flagger's name for the primary's autoscaler. */
export const primaryAutoscalerName = (ref: Pick<AutoscalerRef, 'name'>) => `${ref.name}-primary`;

/**
 * The primary's HorizontalPodAutoscaler as it should be, given the live one (absent: create):
 * the target HPA's bounds, metrics and behavior, scaling `<target>-primary` instead of the target.
 * Only what fledge owns changes: the spec, fledge's label and owner reference; other writers'
 * labels, annotations and the status survive. Undefined when the live one is already right.
 * `primaryScalerReplicas` replaces the bounds, as in Flagger.
 */
export function primaryAutoscaler(
  live: KubeObject | undefined,
  target: V2HorizontalPodAutoscaler,
  ref: AutoscalerRef,
  primaryDeployment: string,
  owner: V1OwnerReference,
): KubeObject | undefined {
  const spec = target.spec;
  const minReplicas = ref.primaryScalerReplicas?.minReplicas ?? spec?.minReplicas;
  const desiredSpec = {
    scaleTargetRef: {
      apiVersion: spec?.scaleTargetRef.apiVersion ?? 'apps/v1',
      kind: spec?.scaleTargetRef.kind ?? 'Deployment',
      name: primaryDeployment,
    },
    ...(minReplicas !== undefined ? { minReplicas } : {}),
    maxReplicas: ref.primaryScalerReplicas?.maxReplicas ?? spec?.maxReplicas ?? 1,
    ...(spec?.metrics ? { metrics: structuredClone(spec.metrics) } : {}),
    ...(spec?.behavior ? { behavior: structuredClone(spec.behavior) } : {}),
  };
  const namespace = target.metadata?.namespace ?? '';
  const labels = { ...withoutInventory(target.metadata?.labels), ...live?.metadata.labels, ...MANAGED_BY };
  const annotations = { ...live?.metadata.annotations, ...GITOPS_OPT_OUT };
  const desired: KubeObject = {
    ...live,
    apiVersion: AUTOSCALER_API_VERSION,
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      ...live?.metadata,
      name: primaryAutoscalerName(ref),
      namespace,
      labels,
      annotations,
      ownerReferences: withOwner(live?.metadata.ownerReferences, {
        apiVersion: owner.apiVersion,
        kind: owner.kind,
        name: owner.name,
        uid: owner.uid,
      }),
    },
    spec: desiredSpec,
  };
  return live && sameJson(live, desired) ? undefined : desired;
}

/** The target's autoscaler as a pass observed it (autoscalerRef). */
export type ObservedAutoscaler =
  | { kind: 'HorizontalPodAutoscaler'; object: V2HorizontalPodAutoscaler }
  | { kind: 'ScaledObject'; object: ScaledObject };

/**
 * Replicas the canary starts with when a release scales it up from zero while an autoscaler owns
 * its count: the autoscaler's minimum (Flagger's rule), at least one. An HPA does not act on a
 * workload at zero replicas, and a ScaledObject (minimum 0 by default) activates it only once its
 * triggers fire, so without this the canary might never start.
 */
export function canaryStartReplicas(autoscaler: ObservedAutoscaler | undefined): number {
  const min =
    autoscaler?.kind === 'ScaledObject'
      ? autoscaler.object.spec?.minReplicaCount
      : autoscaler?.object.spec?.minReplicas;
  return Math.max(min ?? 1, 1);
}
