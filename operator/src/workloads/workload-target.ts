import type {
  KubeConfig,
  KubernetesObject,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  V1OwnerReference,
  V1Secret,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { AutoscalerRef } from '../api/autoscaler-ref.ts';
import { GITOPS_OPT_OUT } from '../api/gitops-metadata.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import type { MISS } from '../kube/owned-cache.ts';
import { applyObject } from '../routers/apply.ts';
import type { KubeObject, ObjectClient } from '../routers/kube-object.ts';
import { KubeRest, MERGE_PATCH, resourcePath } from '../kube/rest.ts';
import { WriteThrough } from '../kube/write-through.ts';
import { AutoscalerTarget } from './autoscaler-target.ts';
import type { ObservedAutoscaler } from './autoscaler.ts';
import { referencedConfigs, type ConfigRefs } from './configs.ts';
import {
  buildPrimary,
  buildPrimaryDaemonSet,
  buildServices,
  MANAGED_BY,
  primaryName,
  promotedPrimaryMetadata,
  REVISION_ANNOTATION,
  type ServicePlan,
} from './primary.ts';
import { configChecksum, targetRevision } from './revision.ts';
import { daemonSetScalePatch, releasedTemplate, type Workload, type WorkloadKind } from './workload.ts';

/** Reads served from informer caches; writes go to the API server. */
export interface WorkloadCache {
  deployment(namespace: string, name: string): V1Deployment | undefined;
  daemonSet(namespace: string, name: string): V1DaemonSet | undefined;
  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<V1Secret | undefined>;
  autoscaler(namespace: string, name: string): V2HorizontalPodAutoscaler | undefined;
  /** MISS: the cache cannot answer, read the API server. */
  scaledObject(namespace: string, name: string): KubernetesObject | undefined | typeof MISS;
}

export interface TargetObservation {
  /** The kind of both the target and its primary. */
  kind: WorkloadKind;
  target: Workload | undefined;
  primary: Workload | undefined;
  revision: string | undefined;
  tracked: ConfigRefs;
  /** `configmap/<name>` or `secret/<name>` -> checksum; missing configs are listed in `missingConfigs`. */
  trackedConfigs: Record<string, string>;
  missingConfigs: string[];
  /** The target's autoscaler (autoscalerRef); undefined when none is referenced or it is missing. */
  autoscaler?: ObservedAutoscaler | undefined;
  /** autoscalerRef names a kind the API server does not serve (a ScaledObject without KEDA's CRD). */
  autoscalerUnserved?: boolean;
}

/** What the reconciler uses of a target; WorkloadTarget below is the one implementation. */
export type Target = Pick<
  WorkloadTarget,
  'observe' | 'ensurePrimary' | 'ensureServices' | 'ensureAutoscaler' | 'holdAutoscaler' | 'scale' | 'promote'
>;

const plurals = { Deployment: 'deployments', DaemonSet: 'daemonsets' } as const;
const workloadPath = (kind: WorkloadKind, namespace: string, name?: string) =>
  resourcePath({ group: 'apps', version: 'v1', plural: plurals[kind], namespace, name });
const corePath = (plural: 'configmaps' | 'secrets', namespace: string, name?: string) =>
  resourcePath({ group: '', version: 'v1', plural, namespace, name });
const describe = (kind: string, ns: string, name: string, what: string) =>
  `${kind} ${ns}/${name}: ${what} failed`;

/**
 * The target, a Deployment or a DaemonSet, as Flagger runs it: a `<name>-primary` copy serves
 * stable traffic, the target itself is the canary (at zero between releases: no replicas for a
 * Deployment, a nodeSelector no node has for a DaemonSet, workload.ts), and promotion copies the
 * target's pod template and its tracked ConfigMaps/Secrets (as `-primary` copies) to the primary.
 * Every write is idempotent: repeating any call after a crash converges to the same objects.
 */
export class WorkloadTarget {
  private readonly rest: KubeRest;
  private readonly cache: WorkloadCache;
  /** Plain-JSON reads and writes of Services, served from the owned-object cache when it can. */
  private readonly objects: ObjectClient;
  /** Workloads this process wrote, until the informer has them: passes never decide on an older copy. */
  private readonly written = {
    Deployment: new WriteThrough<V1Deployment>(),
    DaemonSet: new WriteThrough<V1DaemonSet>(),
  };
  /** The target's HPA or ScaledObject and its `-primary` copy. */
  private readonly autoscalers: AutoscalerTarget;

  constructor(kc: KubeConfig, cache: WorkloadCache, objects: ObjectClient) {
    this.rest = new KubeRest(kc);
    this.cache = cache;
    this.objects = objects;
    this.autoscalers = new AutoscalerTarget(cache, objects);
  }

  private read(kind: WorkloadKind, namespace: string, name: string): Workload | undefined {
    return kind === 'DaemonSet'
      ? this.written.DaemonSet.read(namespace, name, this.cache.daemonSet(namespace, name))
      : this.written.Deployment.read(namespace, name, this.cache.deployment(namespace, name));
  }

  private record(kind: WorkloadKind, w: Workload): void {
    if (kind === 'DaemonSet') this.written.DaemonSet.record(w as V1DaemonSet);
    else this.written.Deployment.record(w as V1Deployment);
  }

  async observe(
    namespace: string,
    ref: { kind: WorkloadKind; name: string },
    trackConfigs: boolean,
    autoscalerRef?: Pick<AutoscalerRef, 'kind' | 'name'>,
  ): Promise<TargetObservation> {
    const { kind, name } = ref;
    const target = this.read(kind, namespace, name);
    const primary = this.read(kind, namespace, `${name}-primary`);
    const tracked = trackConfigs
      ? referencedConfigs(target?.spec?.template?.spec)
      : { configMaps: [], secrets: [] };
    const trackedConfigs: Record<string, string> = {};
    const missingConfigs: string[] = [];
    for (const cm of tracked.configMaps) {
      const obj = await this.cache.configMap(namespace, cm);
      if (obj) trackedConfigs[`configmap/${cm}`] = configChecksum(obj.data, obj.binaryData);
      else missingConfigs.push(`configmap/${cm}`);
    }
    for (const s of tracked.secrets) {
      const obj = await this.cache.secret(namespace, s);
      if (obj) trackedConfigs[`secret/${s}`] = configChecksum(obj.data);
      else missingConfigs.push(`secret/${s}`);
    }
    // Holding a DaemonSet at zero edits its template; that is not a release (workload.ts).
    const revision = target
      ? targetRevision(releasedTemplate(target.spec?.template), trackedConfigs)
      : undefined;
    return {
      kind,
      target,
      primary,
      revision,
      tracked,
      trackedConfigs,
      missingConfigs,
      ...(autoscalerRef ? await this.autoscalers.observe(namespace, autoscalerRef) : {}),
    };
  }

  /** Creates the primary at the target's current revision if it does not exist yet. */
  async ensurePrimary(obs: TargetObservation, owner: V1OwnerReference): Promise<void> {
    const { target, kind } = obs;
    if (!target?.metadata?.name || !target.metadata.namespace || obs.primary || !obs.revision) return;
    const ns = target.metadata.namespace;
    await this.copyConfigs(ns, obs, owner);
    const name = primaryName(target.metadata.name);
    try {
      if (kind === 'DaemonSet') {
        const body = buildPrimaryDaemonSet(target as V1DaemonSet, owner, obs.revision, obs.tracked);
        this.record(kind, await this.rest.create<V1DaemonSet>(workloadPath(kind, ns), body));
      } else {
        const dep = target as V1Deployment;
        const replicas = Math.max(dep.spec?.replicas ?? 1, 1);
        const body = buildPrimary(dep, owner, obs.revision, obs.tracked, replicas);
        this.record(kind, await this.rest.create<V1Deployment>(workloadPath(kind, ns), body));
      }
    } catch (err) {
      if (!isAlreadyExists(err)) throw new Error(describe(kind, ns, name, 'create'), { cause: err });
    }
  }

  /**
   * Creates or updates the apex, primary and canary Services; writes only what differs. With
   * `routerOwnsApexSelector` (blue/green on plain Services) the router switches the apex selector,
   * so it is set at creation only.
   */
  async ensureServices(
    kind: WorkloadKind,
    target: Workload,
    owner: V1OwnerReference,
    plan: ServicePlan,
    routerOwnsApexSelector: boolean,
  ): Promise<void> {
    const ns = target.metadata?.namespace ?? '';
    for (const [i, built] of buildServices(target, owner, plan, kind).entries()) {
      const ref = { apiVersion: 'v1', kind: 'Service', namespace: ns, name: built.metadata!.name! };
      // Read from the owned-object cache when it has the Service; the write carries the live
      // resourceVersion, and a conflict reads the API server again (routers/apply.ts).
      await applyObject(this.objects, ref, (raw) => {
        const live = raw as V1Service | undefined;
        const desired: V1Service =
          live && i === 0 && routerOwnsApexSelector
            ? { ...built, spec: { ...built.spec, selector: live.spec?.selector } }
            : built;
        if (!live) return { ...desired, apiVersion: 'v1', kind: 'Service' } as KubeObject;
        if (!serviceDiffers(live, desired)) return undefined;
        // Only what fledge owns changes; clusterIP and fields other controllers set are kept.
        return {
          ...raw,
          metadata: {
            ...raw!.metadata,
            labels: { ...live.metadata?.labels, ...desired.metadata?.labels },
            annotations: { ...live.metadata?.annotations, ...desired.metadata?.annotations },
          },
          spec: { ...live.spec, selector: desired.spec?.selector, ports: desired.spec?.ports },
        } as KubeObject;
      });
    }
  }

  /** Creates or updates the target autoscaler's `<name>-primary` copy (autoscaler-target.ts). */
  ensureAutoscaler(...args: Parameters<AutoscalerTarget['ensure']>): Promise<void> {
    return this.autoscalers.ensure(...args);
  }

  /** Pauses the target's ScaledObject at zero or resumes it (autoscaler-target.ts). */
  holdAutoscaler(...args: Parameters<AutoscalerTarget['hold']>): Promise<void> {
    return this.autoscalers.hold(...args);
  }

  /**
   * Sets the canary's size; no write when it already is so. A Deployment gets `replicas`; a
   * DaemonSet has none and is held at zero (0) or run on its nodes (anything above).
   */
  async scale(kind: WorkloadKind, w: Workload, replicas: number): Promise<void> {
    const { name, namespace } = w.metadata ?? {};
    if (!name || !namespace) return;
    try {
      if (kind === 'DaemonSet') {
        const body = daemonSetScalePatch(w as V1DaemonSet, replicas > 0);
        if (!body) return;
        this.record(
          kind,
          await this.rest.patch<V1DaemonSet>(workloadPath(kind, namespace, name), body, MERGE_PATCH),
        );
        return;
      }
      if ((w as V1Deployment).spec?.replicas === replicas) return;
      this.record(
        kind,
        await this.rest.patch<V1Deployment>(
          workloadPath(kind, namespace, name),
          { spec: { replicas } },
          MERGE_PATCH,
        ),
      );
    } catch (err) {
      throw new Error(describe(kind, namespace, name, `scale to ${replicas}`), { cause: err });
    }
  }

  /**
   * Copies the target's pod template (and tracked configs) to the primary. Keyed by revision: a
   * primary already carrying `revision` is left alone, so a repeat after a crash is harmless.
   */
  async promote(obs: TargetObservation, owner: V1OwnerReference, revision: string): Promise<void> {
    const { target, primary, kind } = obs;
    if (!target?.metadata?.namespace || !primary?.metadata?.name) {
      throw new Error('promotion needs both the target and its primary');
    }
    if (primary.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const ns = target.metadata.namespace;
    const name = primary.metadata.name;
    await this.copyConfigs(ns, obs, owner);
    const metadata = { ...primary.metadata, ...promotedPrimaryMetadata(primary.metadata, revision) };
    try {
      if (kind === 'DaemonSet') {
        const live = primary as V1DaemonSet;
        const desired = buildPrimaryDaemonSet(target as V1DaemonSet, owner, revision, obs.tracked);
        const body: V1DaemonSet = {
          ...live,
          metadata,
          spec: { ...live.spec!, template: desired.spec!.template },
        };
        this.record(kind, await this.rest.replace<V1DaemonSet>(workloadPath(kind, ns, name), body));
        return;
      }
      const live = primary as V1Deployment;
      const desired = buildPrimary(
        target as V1Deployment,
        owner,
        revision,
        obs.tracked,
        live.spec?.replicas ?? 1,
      );
      const body: V1Deployment = {
        ...live,
        metadata,
        spec: { ...live.spec!, template: desired.spec!.template },
      };
      this.record(kind, await this.rest.replace<V1Deployment>(workloadPath(kind, ns, name), body));
    } catch (err) {
      throw new Error(describe(kind, ns, name, 'promote'), { cause: err });
    }
  }

  /**
   * Writes `<name>-primary` copies of the tracked ConfigMaps and Secrets, exactly as the pass
   * observed them: one that changed since (read again here) would put content no analysis ran on
   * under the primary, whose mounted volumes update in place. The pass fails instead, and the next
   * one sees the change as a new revision.
   */
  private async copyConfigs(ns: string, obs: TargetObservation, owner: V1OwnerReference): Promise<void> {
    const { tracked, trackedConfigs } = obs;
    const unchanged = (key: string, now: string | undefined) => {
      if (trackedConfigs[key] !== now)
        throw new Error(`${key} in ${ns} changed after the pass observed it; not copying it to the primary`);
    };
    for (const name of tracked.configMaps) {
      const src = await this.cache.configMap(ns, name);
      unchanged(`configmap/${name}`, src ? configChecksum(src.data, src.binaryData) : undefined);
      if (!src) continue;
      const body: V1ConfigMap = {
        metadata: primaryConfigMeta(ns, name, owner),
        data: src.data,
        binaryData: src.binaryData,
      };
      await this.upsert(
        'ConfigMap',
        ns,
        body.metadata!.name!,
        () => this.rest.create(corePath('configmaps', ns), body),
        () => this.rest.replace(corePath('configmaps', ns, body.metadata!.name!), body),
      );
    }
    for (const name of tracked.secrets) {
      const src = await this.cache.secret(ns, name);
      unchanged(`secret/${name}`, src ? configChecksum(src.data) : undefined);
      if (!src) continue;
      const body: V1Secret = {
        metadata: primaryConfigMeta(ns, name, owner),
        type: src.type,
        data: src.data,
      };
      await this.upsert(
        'Secret',
        ns,
        body.metadata!.name!,
        () => this.rest.create(corePath('secrets', ns), body),
        () => this.rest.replace(corePath('secrets', ns, body.metadata!.name!), body),
      );
    }
  }

  private async upsert(
    kind: string,
    ns: string,
    name: string,
    create: () => Promise<unknown>,
    replace: () => Promise<unknown>,
  ) {
    try {
      await create();
    } catch (err) {
      if (!isAlreadyExists(err)) throw new Error(describe(kind, ns, name, 'create'), { cause: err });
      try {
        await replace();
      } catch (replaceErr) {
        throw new Error(describe(kind, ns, name, 'update'), { cause: replaceErr });
      }
    }
  }
}

/** The metadata of a tracked ConfigMap's or Secret's `-primary` copy, owned by the Canary. */
function primaryConfigMeta(ns: string, name: string, owner: V1OwnerReference) {
  return {
    name: `${name}-primary`,
    namespace: ns,
    labels: { ...MANAGED_BY },
    annotations: { ...GITOPS_OPT_OUT },
    ownerReferences: [owner],
  };
}

function serviceDiffers(live: V1Service, desired: V1Service): boolean {
  const pick = (s: V1Service) =>
    JSON.stringify({
      selector: s.spec?.selector ?? {},
      ports: (s.spec?.ports ?? []).map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.targetPort,
        protocol: p.protocol ?? 'TCP',
        appProtocol: p.appProtocol,
      })),
      labels: Object.fromEntries(
        Object.entries(desired.metadata?.labels ?? {}).map(([k]) => [k, s.metadata?.labels?.[k]]),
      ),
      annotations: Object.fromEntries(
        Object.entries(desired.metadata?.annotations ?? {}).map(([k]) => [k, s.metadata?.annotations?.[k]]),
      ),
    });
  return pick(live) !== pick(desired);
}
