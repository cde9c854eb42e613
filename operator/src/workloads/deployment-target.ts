import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
  type V1OwnerReference,
  type V1Secret,
  type V1Service,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { AutoscalerRef } from '../api/autoscaler-ref.ts';
import { GITOPS_OPT_OUT } from '../api/gitops-metadata.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import { applyObject } from '../routers/apply.ts';
import type { KubeObject, ObjectClient } from '../routers/kube-object.ts';
import { WriteThrough } from '../kube/write-through.ts';
import { AUTOSCALER_API_VERSION, primaryAutoscaler, primaryAutoscalerName } from './autoscaler.ts';
import { referencedConfigs, type ConfigRefs } from './configs.ts';
import {
  buildPrimary,
  buildServices,
  MANAGED_BY,
  promotedPrimaryMetadata,
  REVISION_ANNOTATION,
  type ServicePlan,
} from './primary.ts';
import { configChecksum, targetRevision } from './revision.ts';

/** Reads served from informer caches; writes go to the API server. */
export interface WorkloadCache {
  deployment(namespace: string, name: string): V1Deployment | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  secret(namespace: string, name: string): V1Secret | undefined;
  autoscaler(namespace: string, name: string): V2HorizontalPodAutoscaler | undefined;
}

export interface TargetObservation {
  target: V1Deployment | undefined;
  primary: V1Deployment | undefined;
  revision: string | undefined;
  tracked: ConfigRefs;
  /** `configmap/<name>` or `secret/<name>` -> checksum; missing configs are listed in `missingConfigs`. */
  trackedConfigs: Record<string, string>;
  missingConfigs: string[];
  /** The target's HorizontalPodAutoscaler (autoscalerRef); undefined when none is referenced or it is missing. */
  autoscaler?: V2HorizontalPodAutoscaler | undefined;
}

/** What the reconciler uses of a target; the Deployment target below is the one implementation. */
export type Target = Pick<
  DeploymentTarget,
  'observe' | 'ensurePrimary' | 'ensureServices' | 'ensureAutoscaler' | 'scale' | 'promote'
>;

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const describe = (kind: string, ns: string, name: string, what: string) =>
  `${kind} ${ns}/${name}: ${what} failed`;

/**
 * The Deployment target, as Flagger runs it: a `<name>-primary` copy serves stable traffic, the
 * target itself is the canary (scaled to zero between releases), and promotion copies the
 * target's pod template and its tracked ConfigMaps/Secrets (as `-primary` copies) to the primary.
 * Every write is idempotent: repeating any call after a crash converges to the same objects.
 */
export class DeploymentTarget {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly cache: WorkloadCache;
  /** Plain-JSON reads and writes of Services, served from the owned-object cache when it can. */
  private readonly objects: ObjectClient;
  /** Deployments this process wrote, until the informer has them: passes never decide on an older copy. */
  private readonly written = new WriteThrough<V1Deployment>();

  constructor(kc: KubeConfig, cache: WorkloadCache, objects: ObjectClient) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.cache = cache;
    this.objects = objects;
  }

  observe(namespace: string, name: string, trackConfigs: boolean, autoscaler?: string): TargetObservation {
    const target = this.written.read(namespace, name, this.cache.deployment(namespace, name));
    const primaryName = `${name}-primary`;
    const primary = this.written.read(namespace, primaryName, this.cache.deployment(namespace, primaryName));
    const tracked = trackConfigs
      ? referencedConfigs(target?.spec?.template?.spec)
      : { configMaps: [], secrets: [] };
    const trackedConfigs: Record<string, string> = {};
    const missingConfigs: string[] = [];
    for (const cm of tracked.configMaps) {
      const obj = this.cache.configMap(namespace, cm);
      if (obj) trackedConfigs[`configmap/${cm}`] = configChecksum(obj.data, obj.binaryData);
      else missingConfigs.push(`configmap/${cm}`);
    }
    for (const s of tracked.secrets) {
      const obj = this.cache.secret(namespace, s);
      if (obj) trackedConfigs[`secret/${s}`] = configChecksum(obj.data);
      else missingConfigs.push(`secret/${s}`);
    }
    const revision = target ? targetRevision(target.spec?.template, trackedConfigs) : undefined;
    return {
      target,
      primary,
      revision,
      tracked,
      trackedConfigs,
      missingConfigs,
      ...(autoscaler ? { autoscaler: this.cache.autoscaler(namespace, autoscaler) } : {}),
    };
  }

  /** Creates the primary at the target's current revision if it does not exist yet. */
  async ensurePrimary(obs: TargetObservation, owner: V1OwnerReference): Promise<void> {
    const { target } = obs;
    if (!target?.metadata?.name || !target.metadata.namespace || obs.primary || !obs.revision) return;
    const ns = target.metadata.namespace;
    await this.copyConfigs(ns, obs.tracked, owner);
    const replicas = target.spec?.replicas ?? 1;
    const body = buildPrimary(target, owner, obs.revision, obs.tracked, Math.max(replicas, 1));
    try {
      this.written.record(await this.apps.createNamespacedDeployment({ namespace: ns, body }));
    } catch (err) {
      if (!isAlreadyExists(err))
        throw new Error(describe('Deployment', ns, body.metadata!.name!, 'create'), { cause: err });
    }
  }

  /**
   * Creates or updates the apex, primary and canary Services; writes only what differs. With
   * `routerOwnsApexSelector` (blue/green on plain Services) the router switches the apex selector,
   * so it is set at creation only.
   */
  async ensureServices(
    target: V1Deployment,
    owner: V1OwnerReference,
    plan: ServicePlan,
    routerOwnsApexSelector: boolean,
  ): Promise<void> {
    const ns = target.metadata?.namespace ?? '';
    for (const [i, built] of buildServices(target, owner, plan).entries()) {
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

  /**
   * Creates or updates `<hpa>-primary`, the target HPA's copy scaling the primary; writes only what
   * differs, so an edit to the target HPA (or to the copy by hand) is put right by the next pass.
   */
  async ensureAutoscaler(
    namespace: string,
    ref: AutoscalerRef,
    target: V2HorizontalPodAutoscaler,
    primaryDeployment: string,
    owner: V1OwnerReference,
  ): Promise<void> {
    const objRef = {
      apiVersion: AUTOSCALER_API_VERSION,
      kind: 'HorizontalPodAutoscaler',
      namespace,
      name: primaryAutoscalerName(ref),
    };
    await applyObject(this.objects, objRef, (live) =>
      primaryAutoscaler(live, target, ref, primaryDeployment, owner),
    );
  }

  /** Sets the replica count of a Deployment (the target is the canary); no write when equal. */
  async scale(dep: V1Deployment, replicas: number): Promise<void> {
    const { name, namespace } = dep.metadata ?? {};
    if (!name || !namespace || dep.spec?.replicas === replicas) return;
    try {
      this.written.record(
        await this.apps.patchNamespacedDeployment(
          { name, namespace, body: { spec: { replicas } } },
          mergePatch,
        ),
      );
    } catch (err) {
      throw new Error(describe('Deployment', namespace, name, `scale to ${replicas}`), { cause: err });
    }
  }

  /**
   * Copies the target's pod template (and tracked configs) to the primary. Keyed by revision: a
   * primary already carrying `revision` is left alone, so a repeat after a crash is harmless.
   */
  async promote(obs: TargetObservation, owner: V1OwnerReference, revision: string): Promise<void> {
    const { target, primary } = obs;
    if (!target?.metadata?.namespace || !primary?.metadata?.name) {
      throw new Error('promotion needs both the target and its primary');
    }
    if (primary.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const ns = target.metadata.namespace;
    await this.copyConfigs(ns, obs.tracked, owner);
    const desired = buildPrimary(target, owner, revision, obs.tracked, primary.spec?.replicas ?? 1);
    const body: V1Deployment = {
      ...primary,
      metadata: { ...primary.metadata, ...promotedPrimaryMetadata(primary.metadata, revision) },
      spec: { ...primary.spec!, template: desired.spec!.template },
    };
    try {
      this.written.record(
        await this.apps.replaceNamespacedDeployment({ name: primary.metadata.name, namespace: ns, body }),
      );
    } catch (err) {
      throw new Error(describe('Deployment', ns, primary.metadata.name, 'promote'), { cause: err });
    }
  }

  /** Writes `<name>-primary` copies of the tracked ConfigMaps and Secrets. */
  private async copyConfigs(ns: string, tracked: ConfigRefs, owner: V1OwnerReference): Promise<void> {
    for (const name of tracked.configMaps) {
      const src = this.cache.configMap(ns, name);
      if (!src) continue;
      const body: V1ConfigMap = {
        metadata: {
          name: `${name}-primary`,
          namespace: ns,
          labels: { ...MANAGED_BY },
          annotations: { ...GITOPS_OPT_OUT },
          ownerReferences: [owner],
        },
        data: src.data,
        binaryData: src.binaryData,
      };
      await this.upsert(
        'ConfigMap',
        ns,
        body.metadata!.name!,
        () => this.core.createNamespacedConfigMap({ namespace: ns, body }),
        () => this.core.replaceNamespacedConfigMap({ name: body.metadata!.name!, namespace: ns, body }),
      );
    }
    for (const name of tracked.secrets) {
      const src = this.cache.secret(ns, name);
      if (!src) continue;
      const body: V1Secret = {
        metadata: {
          name: `${name}-primary`,
          namespace: ns,
          labels: { ...MANAGED_BY },
          annotations: { ...GITOPS_OPT_OUT },
          ownerReferences: [owner],
        },
        type: src.type,
        data: src.data,
      };
      await this.upsert(
        'Secret',
        ns,
        body.metadata!.name!,
        () => this.core.createNamespacedSecret({ namespace: ns, body }),
        () => this.core.replaceNamespacedSecret({ name: body.metadata!.name!, namespace: ns, body }),
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
