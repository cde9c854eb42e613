// KEDA ScaledObjects as Flagger's autoscalerRef uses them: a `<name>-primary` copy scales the
// primary, and the target's own ScaledObject is paused at zero replicas between releases (KEDA would
// otherwise activate the idle canary from zero as soon as its triggers fire). Pure.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { SCALED_OBJECT_API_VERSION, type AutoscalerRef } from '../api/autoscaler-ref.ts';
import { GITOPS_OPT_OUT, withoutInventory } from '../api/gitops-metadata.ts';
import { MANAGED_BY } from '../api/group.ts';
import type { KubeObject } from '../routers/kube-object.ts';
import { sameJson, withOwner } from '../routers/object-meta.ts';

export { SCALED_OBJECT_API_VERSION };
export const SCALED_OBJECT_KIND = 'ScaledObject';
/** KEDA scales the workload to this many replicas and stops autoscaling it while the annotation is set. */
export const PAUSED_REPLICAS_ANNOTATION = 'autoscaling.keda.sh/paused-replicas';

/** The fields of a ScaledObject fledge reads; everything else is copied as is. */
export interface ScaledObjectTrigger {
  type?: string;
  name?: string;
  metadata?: Record<string, string>;
  [field: string]: unknown;
}
export interface ScaledObjectSpec {
  scaleTargetRef?: { name?: string; kind?: string; apiVersion?: string; [field: string]: unknown };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  advanced?: {
    horizontalPodAutoscalerConfig?: { name?: string; [field: string]: unknown };
    [field: string]: unknown;
  };
  triggers?: ScaledObjectTrigger[];
  [field: string]: unknown;
}
export type ScaledObject = KubeObject & { spec?: ScaledObjectSpec };

export const primaryScaledObjectName = (ref: Pick<AutoscalerRef, 'name'>) => `${ref.name}-primary`;

const nameChar = /[A-Za-z0-9_.-]/;

/**
 * The target's query with the target's name changed to the primary's, as Flagger does when no
 * primaryScalerQueries entry is given: `web` and `web-canary` become `web-primary`. Only whole
 * names change: `web2`, `myweb`, `web-api` (another workload) and an existing `web-primary` are
 * left alone; `web-` before a regex (`web-.*` for pod names) becomes `web-primary-...`, which
 * selects the primary's pods. A namespace with the target's name changes too: use
 * primaryScalerQueries there.
 */
export function primaryQuery(query: string, target: string, primary: string): string {
  if (!target) return query;
  let out = '';
  let i = 0;
  while (i < query.length) {
    const at = query.indexOf(target, i);
    if (at < 0) break;
    const end = at + target.length;
    const before = at > 0 ? query[at - 1]! : '';
    const rest = query.slice(end);
    const wholeName = !nameChar.test(before) && !/^[A-Za-z0-9_.]/.test(rest);
    const canary = /^-canary(?![A-Za-z0-9_.-])/.test(rest);
    // `-` and a letter or digit continue the name: another workload (or the primary already).
    if (!wholeName || (!canary && /^-[A-Za-z0-9]/.test(rest))) {
      out += query.slice(i, end);
      i = end;
      continue;
    }
    out += query.slice(i, at) + primary;
    i = canary ? end + '-canary'.length : end;
  }
  return out + query.slice(i);
}

/** primaryScalerQueries keys that name no trigger of the target ScaledObject: a mistake to report, not to ignore. */
export function unknownQueryKeys(ref: AutoscalerRef, target: ScaledObject): string[] {
  const names = new Set((target.spec?.triggers ?? []).map((t) => t.name).filter(Boolean));
  return Object.keys(ref.primaryScalerQueries ?? {}).filter((k) => !names.has(k));
}

function primaryTriggers(
  triggers: readonly ScaledObjectTrigger[],
  ref: AutoscalerRef,
  targetName: string,
  primary: string,
): ScaledObjectTrigger[] {
  return triggers.map((t) => {
    const query = t.metadata?.['query'];
    if (query === undefined) return structuredClone(t);
    const given = t.name !== undefined ? ref.primaryScalerQueries?.[t.name] : undefined;
    return {
      ...structuredClone(t),
      metadata: { ...t.metadata, query: given ?? primaryQuery(query, targetName, primary) },
    };
  });
}

/**
 * The primary's ScaledObject as it should be, given the live one (absent: create): the target's
 * spec scaling `<target>-primary`, its trigger queries rewritten for the primary, a custom HPA name
 * (advanced.horizontalPodAutoscalerConfig.name) suffixed so the two ScaledObjects never claim one
 * HPA, and primaryScalerReplicas as the bounds. Only what fledge owns changes; other writers'
 * labels and annotations and the status survive. Undefined when the live one is already right.
 */
export function primaryScaledObject(
  live: KubeObject | undefined,
  target: ScaledObject,
  ref: AutoscalerRef,
  targetName: string,
  primaryDeployment: string,
  owner: V1OwnerReference,
): KubeObject | undefined {
  const spec: ScaledObjectSpec = structuredClone(target.spec ?? {});
  spec.scaleTargetRef = { ...spec.scaleTargetRef, name: primaryDeployment };
  if (spec.triggers) spec.triggers = primaryTriggers(spec.triggers, ref, targetName, primaryDeployment);
  const hpaName = spec.advanced?.horizontalPodAutoscalerConfig?.name;
  if (hpaName && spec.advanced?.horizontalPodAutoscalerConfig) {
    spec.advanced.horizontalPodAutoscalerConfig.name = `${hpaName}-primary`;
  }
  const bounds = ref.primaryScalerReplicas;
  if (bounds?.minReplicas !== undefined) spec.minReplicaCount = bounds.minReplicas;
  if (bounds?.maxReplicas !== undefined) spec.maxReplicaCount = bounds.maxReplicas;
  const labels = { ...withoutInventory(target.metadata.labels), ...live?.metadata.labels, ...MANAGED_BY };
  // The target's pause is the canary's, never copied; one on the copy would stop the primary's scaling.
  const { [PAUSED_REPLICAS_ANNOTATION]: _paused, ...liveAnnotations } = live?.metadata.annotations ?? {};
  const desired: KubeObject = {
    ...live,
    apiVersion: SCALED_OBJECT_API_VERSION,
    kind: SCALED_OBJECT_KIND,
    metadata: {
      ...live?.metadata,
      name: primaryScaledObjectName(ref),
      namespace: target.metadata.namespace ?? '',
      labels,
      annotations: { ...liveAnnotations, ...GITOPS_OPT_OUT },
      ownerReferences: withOwner(live?.metadata.ownerReferences, {
        apiVersion: owner.apiVersion,
        kind: owner.kind,
        name: owner.name,
        uid: owner.uid,
      }),
    },
    spec,
  };
  return live && sameJson(live, desired) ? undefined : desired;
}

/**
 * The annotations of the target's ScaledObject paused at zero (`held`) or resumed, or undefined
 * when it already is so. Only the paused-replicas annotation is fledge's; the rest are kept.
 */
export function heldAnnotations(
  annotations: Record<string, string> | undefined,
  held: boolean,
): Record<string, string> | undefined {
  const current = annotations?.[PAUSED_REPLICAS_ANNOTATION];
  if (held) return current === '0' ? undefined : { ...annotations, [PAUSED_REPLICAS_ANNOTATION]: '0' };
  if (current === undefined) return undefined;
  const { [PAUSED_REPLICAS_ANNOTATION]: _removed, ...rest } = annotations ?? {};
  return rest;
}
