// The target's autoscaler (autoscalerRef) as a pass reads and writes it: the target's HPA or KEDA
// ScaledObject observed, its `<name>-primary` copy converged, and a ScaledObject paused at zero
// between releases. The pure building blocks are autoscaler.ts and scaled-object.ts.
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { AutoscalerRef } from '../api/autoscaler-ref.ts';
import { MISS } from '../kube/owned-cache.ts';
import { WriteThrough } from '../kube/write-through.ts';
import { applyObject } from '../routers/apply.ts';
import { UnservedKindError, type KubeObject, type ObjectClient } from '../routers/kube-object.ts';
import {
  AUTOSCALER_API_VERSION,
  primaryAutoscaler,
  primaryAutoscalerName,
  type ObservedAutoscaler,
} from './autoscaler.ts';
import {
  heldAnnotations,
  primaryScaledObject,
  primaryScaledObjectName,
  SCALED_OBJECT_API_VERSION,
  SCALED_OBJECT_KIND,
  type ScaledObject,
} from './scaled-object.ts';
import type { TargetObservation, WorkloadCache } from './workload-target.ts';

const scaledObjectRef = (namespace: string, name: string) => ({
  apiVersion: SCALED_OBJECT_API_VERSION,
  kind: SCALED_OBJECT_KIND,
  namespace,
  name,
});

export class AutoscalerTarget {
  private readonly cache: Pick<WorkloadCache, 'autoscaler' | 'scaledObject'>;
  private readonly objects: ObjectClient;
  /** The targets' ScaledObjects this process paused or resumed, until their watch has the write. */
  private readonly writtenScaledObjects = new WriteThrough<KubeObject>();

  constructor(cache: Pick<WorkloadCache, 'autoscaler' | 'scaledObject'>, objects: ObjectClient) {
    this.cache = cache;
    this.objects = objects;
  }

  /**
   * The target's autoscaler: an HPA from the informer cache; a ScaledObject read through the
   * object client (its CRD may not be installed, so no informer watches it from the start).
   */
  async observe(
    namespace: string,
    ref: Pick<AutoscalerRef, 'kind' | 'name'>,
  ): Promise<Pick<TargetObservation, 'autoscaler' | 'autoscalerUnserved'>> {
    if (ref.kind === 'HorizontalPodAutoscaler') {
      const object = this.cache.autoscaler(namespace, ref.name);
      return { autoscaler: object ? { kind: ref.kind, object } : undefined };
    }
    const found = (object: KubeObject | undefined) => {
      // Never older than our own pause or resume: a stale copy would skip the write it still needs.
      const seen = this.writtenScaledObjects.read(namespace, ref.name, object);
      return {
        autoscaler: seen ? { kind: 'ScaledObject' as const, object: seen as ScaledObject } : undefined,
      };
    };
    const cached = this.cache.scaledObject(namespace, ref.name);
    if (cached !== MISS) return found(cached as KubeObject | undefined);
    try {
      return found(await this.objects.get(scaledObjectRef(namespace, ref.name)));
    } catch (err) {
      if (err instanceof UnservedKindError) return { autoscaler: undefined, autoscalerUnserved: true };
      throw new Error(`ScaledObject ${namespace}/${ref.name}: read failed`, { cause: err });
    }
  }

  /**
   * Creates or updates `<name>-primary`, the target autoscaler's copy scaling the primary; writes
   * only what differs, so an edit to the target's autoscaler (or to the copy by hand) is put right
   * by the next pass.
   */
  async ensure(
    namespace: string,
    ref: AutoscalerRef,
    target: ObservedAutoscaler,
    targetName: string,
    primaryDeployment: string,
    owner: V1OwnerReference,
  ): Promise<void> {
    if (target.kind === 'ScaledObject') {
      await applyObject(this.objects, scaledObjectRef(namespace, primaryScaledObjectName(ref)), (live) =>
        primaryScaledObject(live, target.object, ref, targetName, primaryDeployment, owner),
      );
      return;
    }
    const hpa = target.object;
    const objRef = {
      apiVersion: AUTOSCALER_API_VERSION,
      kind: 'HorizontalPodAutoscaler',
      namespace,
      name: primaryAutoscalerName(ref),
    };
    await applyObject(this.objects, objRef, (live) =>
      primaryAutoscaler(live, hpa, ref, primaryDeployment, owner),
    );
  }

  /**
   * Pauses the target's ScaledObject at zero replicas (`held`) or resumes it. KEDA activates a
   * workload at zero once its triggers fire, so the canary at rest must be held by KEDA itself; an
   * HPA does not act at zero and needs nothing.
   */
  async hold(namespace: string, autoscaler: ObservedAutoscaler | undefined, held: boolean): Promise<void> {
    if (autoscaler?.kind !== 'ScaledObject') return;
    // Observed this pass: already so means no read and no write.
    if (!heldAnnotations(autoscaler.object.metadata.annotations, held)) return;
    const { object, written } = await applyObject(
      this.objects,
      scaledObjectRef(namespace, autoscaler.object.metadata.name),
      (live) => {
        const annotations = live && heldAnnotations(live.metadata.annotations, held);
        return live && annotations ? { ...live, metadata: { ...live.metadata, annotations } } : undefined;
      },
    );
    if (written) this.writtenScaledObjects.record(object);
  }
}
