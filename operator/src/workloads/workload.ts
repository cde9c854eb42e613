// The two kinds of target, Deployment and DaemonSet, as the rest of the operator sees them. Pure.
//
// A DaemonSet has no replica count: it runs one pod on every node its template may run on. Between
// releases the target waits "at zero" as Flagger keeps it, with a nodeSelector no node carries;
// running the canary again removes that key. The key is not part of the release: the revision,
// the primary and the canary's readiness all read the template without it.
import type { V1DaemonSet, V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { WorkloadKind } from '../api/refs.ts';

export type { WorkloadKind };
export type Workload = V1Deployment | V1DaemonSet;

/** The nodeSelector key (value "true") that keeps a DaemonSet target's pods off every node. */
export const SCALE_TO_ZERO_KEY = 'fledge.dev/scale-to-zero';
/** Flagger's key too, so a DaemonSet handed over from Flagger while at zero runs again. */
export const SCALE_TO_ZERO_KEYS = [SCALE_TO_ZERO_KEY, 'flagger.app/scale-to-zero'] as const;

/** The pod template without the scale-to-zero keys (an emptied nodeSelector is dropped, as the API server drops it). */
export function releasedTemplate(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec | undefined {
  const selector = template?.spec?.nodeSelector;
  if (!template?.spec || !selector || !SCALE_TO_ZERO_KEYS.some((k) => k in selector)) return template;
  const rest = Object.fromEntries(
    Object.entries(selector).filter(([k]) => !(SCALE_TO_ZERO_KEYS as readonly string[]).includes(k)),
  );
  const { nodeSelector: _held, ...others } = template.spec;
  return { ...template, spec: Object.keys(rest).length > 0 ? { ...others, nodeSelector: rest } : others };
}

/** A DaemonSet held off every node by fledge (or Flagger). */
export function isHeldAtZero(ds: V1DaemonSet): boolean {
  const selector = ds.spec?.template.spec?.nodeSelector ?? {};
  return SCALE_TO_ZERO_KEYS.some((k) => k in selector);
}

/**
 * The merge patch that holds a DaemonSet at zero or runs it, or undefined when it already is so.
 * Running removes Flagger's key as well as fledge's.
 */
export function daemonSetScalePatch(ds: V1DaemonSet, run: boolean): object | undefined {
  const selector = ds.spec?.template.spec?.nodeSelector ?? {};
  if (run) {
    const present = SCALE_TO_ZERO_KEYS.filter((k) => k in selector);
    if (present.length === 0) return undefined;
    return {
      spec: { template: { spec: { nodeSelector: Object.fromEntries(present.map((k) => [k, null])) } } },
    };
  }
  if (selector[SCALE_TO_ZERO_KEY] === 'true') return undefined;
  return { spec: { template: { spec: { nodeSelector: { [SCALE_TO_ZERO_KEY]: 'true' } } } } };
}

/** Why fledge cannot run this target, or undefined. */
export function unsupportedTarget(kind: WorkloadKind, w: Workload): string | undefined {
  if (kind !== 'DaemonSet') return undefined;
  const strategy = (w as V1DaemonSet).spec?.updateStrategy?.type;
  // With OnDelete a promoted template never reaches the primary's pods and the release would hang.
  if (strategy && strategy !== 'RollingUpdate') {
    return `DaemonSet ${w.metadata?.namespace}/${w.metadata?.name} must use updateStrategy RollingUpdate, not ${strategy}`;
  }
  return undefined;
}
