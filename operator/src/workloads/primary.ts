import type {
  V1DaemonSet,
  V1Deployment,
  V1ObjectMeta,
  V1PodTemplateSpec,
  V1OwnerReference,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';
import { GITOPS_OPT_OUT, withoutInventory } from '../api/gitops-metadata.ts';
import { MANAGED_BY } from '../api/group.ts';
import { withPrimaryConfigRefs, type ConfigRefs } from './configs.ts';
import { selectorLabel } from './selector.ts';
import { releasedTemplate, type Workload, type WorkloadKind } from './workload.ts';

/** Annotations and labels fledge owns on the objects it creates. */
export const REVISION_ANNOTATION = 'fledge.dev/revision';
export { MANAGED_BY };

export interface ServicePlan {
  /** The apex service name (service.name, default the target name). */
  name: string;
  port: number;
  portName: string;
  targetPort: number | string;
  appProtocol?: string;
  /** Extra container ports to expose when service.portDiscovery is on. */
  discoveredPorts?: V1ServicePort[];
  /** Flagger's service.apex / service.primary / service.canary labels and annotations. */
  metadata?: Partial<Record<'apex' | 'primary' | 'canary', ServiceMetadata>>;
}

export interface ServiceMetadata {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

/** Every container port of the target other than `targetPort`, for service.portDiscovery. */
export function discoverPorts(target: Workload, targetPort: number | string): V1ServicePort[] {
  const ports: V1ServicePort[] = [];
  for (const c of target.spec?.template.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.containerPort === targetPort || (p.name !== undefined && p.name === targetPort)) continue;
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      ports.push({
        name: p.name ?? `tcp-${c.name}-${p.containerPort}`,
        port: p.containerPort,
        targetPort: p.containerPort as never,
        protocol: 'TCP',
      });
    }
  }
  return ports;
}

/** `<name>-primary`: the primary Deployment of a target, and the selector value of its pods. */
export const primaryName = (target: string) => `${target}-primary`;

/**
 * The primary's own metadata after a promotion: what it had, with the revision it now runs, Flux's
 * opt-outs, and no GitOps inventory key. A primary written by an older fledge (which copied the
 * target's Flux labels) is put right by its next promotion, not left for an agent to prune.
 */
export function promotedPrimaryMetadata(
  meta: Pick<V1ObjectMeta, 'labels' | 'annotations'>,
  revision: string,
): { labels: Record<string, string> | undefined; annotations: Record<string, string> } {
  return {
    labels: withoutInventory(meta.labels),
    annotations: {
      ...withoutInventory(meta.annotations),
      ...GITOPS_OPT_OUT,
      [REVISION_ANNOTATION]: revision,
    },
  };
}

/** The target's selector label, or the error Flagger gives for a workload without one. */
function requireSelectorLabel(kind: WorkloadKind, target: Workload): { key: string; value: string } {
  const label = selectorLabel(target);
  if (!label) {
    throw new Error(
      `${kind} ${target.metadata?.name ?? ''} has no app, name or app.kubernetes.io/name selector label`,
    );
  }
  return label;
}

/** What a primary of either kind has in common: metadata, selector and the pod template. */
function primaryParts(
  kind: WorkloadKind,
  target: Workload,
  owner: V1OwnerReference,
  revision: string,
  tracked: ConfigRefs,
) {
  const name = target.metadata?.name ?? '';
  const label = requireSelectorLabel(kind, target);
  const primaryValue = primaryName(label.value);
  const template: V1PodTemplateSpec = structuredClone(releasedTemplate(target.spec?.template) ?? {});
  template.metadata = {
    ...template.metadata,
    labels: { ...withoutInventory(template.metadata?.labels), [label.key]: primaryValue },
    annotations: { ...withoutInventory(template.metadata?.annotations) },
  };
  if (template.spec) template.spec = withPrimaryConfigRefs(template.spec, tracked);
  return {
    metadata: {
      name: primaryName(name),
      namespace: target.metadata?.namespace,
      labels: { ...withoutInventory(target.metadata?.labels), [label.key]: primaryValue, ...MANAGED_BY },
      annotations: { ...GITOPS_OPT_OUT, [REVISION_ANNOTATION]: revision },
      ownerReferences: [owner],
    },
    selector: { matchLabels: { [label.key]: primaryValue } },
    template,
  };
}

/**
 * The `<target>-primary` Deployment that serves stable traffic: the target's pod template at
 * `revision`, its selector label value suffixed `-primary`, and its configs renamed to their
 * `-primary` copies. Owned by the Canary, so deleting the Canary removes it.
 */
export function buildPrimary(
  target: V1Deployment,
  owner: V1OwnerReference,
  revision: string,
  tracked: ConfigRefs,
  replicas: number,
): V1Deployment {
  const { metadata, selector, template } = primaryParts('Deployment', target, owner, revision, tracked);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas,
      minReadySeconds: target.spec?.minReadySeconds,
      revisionHistoryLimit: target.spec?.revisionHistoryLimit,
      strategy: target.spec?.strategy,
      progressDeadlineSeconds: target.spec?.progressDeadlineSeconds,
      selector,
      template,
    },
  };
}

/** The `<target>-primary` DaemonSet, as buildPrimary; its template never carries the scale-to-zero key. */
export function buildPrimaryDaemonSet(
  target: V1DaemonSet,
  owner: V1OwnerReference,
  revision: string,
  tracked: ConfigRefs,
): V1DaemonSet {
  const { metadata, selector, template } = primaryParts('DaemonSet', target, owner, revision, tracked);
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: {
      minReadySeconds: target.spec?.minReadySeconds,
      revisionHistoryLimit: target.spec?.revisionHistoryLimit,
      updateStrategy: target.spec?.updateStrategy,
      selector,
      template,
    },
  };
}

/**
 * The three Services of a canary: the apex `<svc>` and `<svc>-primary` select the primary pods,
 * `<svc>-canary` selects the target's pods. Routers split traffic between primary and canary.
 */
export function buildServices(
  target: Workload,
  owner: V1OwnerReference,
  plan: ServicePlan,
  kind: WorkloadKind = 'Deployment',
): V1Service[] {
  const label = requireSelectorLabel(kind, target);
  const ports: V1ServicePort[] = [
    {
      name: plan.portName,
      port: plan.port,
      targetPort: plan.targetPort as unknown as V1ServicePort['targetPort'],
      protocol: 'TCP',
      ...(plan.appProtocol ? { appProtocol: plan.appProtocol } : {}),
    },
    ...(plan.discoveredPorts ?? []),
  ];
  const service = (svcName: string, selectorValue: string, meta: ServiceMetadata | undefined): V1Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: svcName,
      namespace: target.metadata?.namespace,
      labels: { ...meta?.labels, [label.key]: svcName, ...MANAGED_BY },
      annotations: { ...meta?.annotations, ...GITOPS_OPT_OUT },
      ownerReferences: [owner],
    },
    spec: { type: 'ClusterIP', selector: { [label.key]: selectorValue }, ports },
  });
  return [
    service(plan.name, primaryName(label.value), plan.metadata?.apex),
    service(`${plan.name}-primary`, primaryName(label.value), plan.metadata?.primary),
    service(`${plan.name}-canary`, label.value, plan.metadata?.canary),
  ];
}
