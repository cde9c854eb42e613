import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  V1Secret,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, VERSION } from './api/group.ts';
import { ConfigSources } from './kube/config-sources.ts';
import { isNotFound } from './kube/errors.ts';
import { MISS } from './kube/owned-cache.ts';
import { matchesSelector, parseSelector, type Requirement } from './kube/label-selector.ts';
import { KubeRest, resourcePath } from './kube/rest.ts';
import { SupervisedInformer } from './kube/informer.ts';
import { WriteThrough } from './kube/write-through.ts';
import { WorkQueue, type Handler } from './kube/workqueue.ts';
import type { Metrics } from './runtime/metrics.ts';

// One definition of the API group and version (the API's); re-exported for the kube plumbing.
export { GROUP, VERSION };

/** A Canary as the informer holds it; parsed and validated by the reconciler. */
export interface CanaryObject extends KubernetesObject {
  spec?: {
    targetRef?: { kind?: string; name?: string };
    autoscalerRef?: { kind?: string; name?: string };
  } & Record<string, unknown>;
  status?: Record<string, unknown>;
}
export type MetricTemplateObject = KubernetesObject & { spec?: Record<string, unknown> };
export type AlertProviderObject = KubernetesObject & { spec?: Record<string, unknown> };

export interface Caches {
  canary(namespace: string, name: string): CanaryObject | undefined;
  deployment(namespace: string, name: string): V1Deployment | undefined;
  daemonSet(namespace: string, name: string): V1DaemonSet | undefined;
  /** Content read on demand (one GET per change), as only metadata of these kinds is cached. */
  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<V1Secret | undefined>;
  autoscaler(namespace: string, name: string): V2HorizontalPodAutoscaler | undefined;
  /** A target's KEDA ScaledObject, or MISS when no synced watch can answer (read the API server). */
  scaledObject(namespace: string, name: string): KubernetesObject | undefined | typeof MISS;
  metricTemplate(namespace: string, name: string): MetricTemplateObject | undefined;
  alertProvider(namespace: string, name: string): AlertProviderObject | undefined;
}

export const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/** The parts of a Canary whose change needs a pass: spec (generation), deletion, finalizers, annotations, labels. */
function intentOf(c: CanaryObject): string {
  const m = c.metadata ?? {};
  return JSON.stringify([m.generation, m.deletionTimestamp, m.finalizers, m.annotations, m.labels]);
}
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export interface ControllerOptions {
  /** Namespace to watch; empty for all. */
  namespace: string;
  /** Label selector of this shard's Canaries; empty for all. */
  shardSelector?: string;
  log: Logger;
  metrics: Metrics;
  concurrency: number;
  resyncMs: number;
}

/**
 * Watches Canaries and what they depend on, and turns every change into a queued canary key.
 * Informers run on every replica (a standby has warm caches); the queue runs only on the leader.
 */
export class Controller {
  private readonly informers: SupervisedInformer<KubernetesObject>[] = [];
  private readonly canaries: SupervisedInformer<CanaryObject>;
  private readonly deployments: SupervisedInformer<V1Deployment>;
  private readonly daemonSets: SupervisedInformer<V1DaemonSet>;
  private readonly configs: ConfigSources;
  private readonly autoscalers: SupervisedInformer<V2HorizontalPodAutoscaler>;
  /**
   * The targets' KEDA ScaledObjects, watched from the first lookup on: KEDA's CRD may not be
   * installed, so it is neither started with the others nor counted in readiness.
   */
  private scaledObjects: SupervisedInformer<KubernetesObject> | undefined;
  private readonly makeScaledObjects: () => SupervisedInformer<KubernetesObject>;
  /** After stop() no watch is started again. */
  private stopped = false;
  private readonly templates: SupervisedInformer<MetricTemplateObject>;
  private readonly alertProviders: SupervisedInformer<AlertProviderObject>;
  private queue: WorkQueue | undefined;
  /** Per canary: what of it a pass depends on, besides status (see intentOf). */
  private readonly intents = new Map<string, string>();
  private readonly rest: KubeRest;
  private running: Promise<void> | undefined;
  /** Resolves when every pass of every stopped queue has returned. */
  private draining: Promise<void> = Promise.resolve();
  private wanted = false;
  /** The operator's own writes of Canaries (status, finalizers), over the informer cache. */
  private readonly canaryWrites = new WriteThrough<CanaryObject>();
  /** Canaries read fresh since this replica last started processing (see readCanary). */
  private readonly verified = new Set<string>();
  private resyncTimer: NodeJS.Timeout | undefined;
  /** This shard's Canaries: the API server filters the watch, readCanary what it reads fresh. */
  private readonly shard: Requirement[];

  private readonly opts: ControllerOptions;

  constructor(kc: KubeConfig, opts: ControllerOptions) {
    this.opts = opts;
    const ns = opts.namespace;
    const rest = new KubeRest(kc);
    this.rest = rest;
    const shardSelector = opts.shardSelector?.trim() ?? '';
    this.shard = parseSelector(shardSelector);
    const path = (group: string, version: string, plural: string) =>
      resourcePath({ group, version, plural, namespace: ns });
    const make = <T extends KubernetesObject>(
      name: string,
      p: string,
      onChange: (obj: T, verb: 'add' | 'update' | 'delete') => void,
      labelSelector?: string,
    ) => {
      const inf = new SupervisedInformer<T>({
        name,
        kubeConfig: kc,
        path: p,
        list: () => rest.get<KubernetesListObject<T>>(p, labelSelector ? { labelSelector } : undefined),
        ...(labelSelector ? { labelSelector } : {}),
        onChange,
        log: opts.log,
        onError: (n) => opts.metrics.apiErrors.inc({ source: `watch/${n}` }),
      });
      this.informers.push(inf as unknown as SupervisedInformer<KubernetesObject>);
      return inf;
    };
    // A Canary relabelled out of the shard is a delete to this watch (the API server sends one).
    this.canaries = make<CanaryObject>(
      'canaries',
      path(GROUP, VERSION, 'canaries'),
      (c, verb) => {
        // A status write (ours) changes nothing the pass reads from metadata or spec: skip it, as
        // controller-runtime's GenerationChangedPredicate does. Time-driven steps come from requeues.
        const key = keyOf(c.metadata?.namespace ?? '', c.metadata?.name ?? '');
        const seen = intentOf(c);
        if (verb === 'update' && this.intents.get(key) === seen) return;
        if (verb === 'delete') {
          this.intents.delete(key);
          this.verified.delete(key);
          this.canaryWrites.deleted(
            c.metadata?.namespace ?? '',
            c.metadata?.name ?? '',
            c.metadata?.resourceVersion,
          );
        } else this.intents.set(key, seen);
        this.enqueue(c.metadata?.namespace, c.metadata?.name);
      },
      shardSelector,
    );
    this.templates = make('metrictemplates', path(GROUP, VERSION, 'metrictemplates'), () => {});
    // Read when an alert is sent; a change needs no pass.
    this.alertProviders = make('alertproviders', path(GROUP, VERSION, 'alertproviders'), () => {});
    // A target or primary changed: queue the Canaries whose targetRef (of that kind) names it.
    // A target's spec change its own controller has not yet observed is often a new revision, the
    // change users wait on: that pass jumps the queue of scheduled steps. (A scale of the target,
    // by an HPA or by fledge itself, jumps it too: rare, and one pass.)
    const targetOrPrimary = (
      kind: string,
      w: KubernetesObject & { status?: { observedGeneration?: number } },
    ) => {
      const ns = w.metadata?.namespace;
      if (!ns) return;
      const fresh = (w.metadata?.generation ?? 0) > (w.status?.observedGeneration ?? 0);
      for (const c of this.canaries.list(ns)) {
        const ref = c.spec?.targetRef;
        if ((ref?.kind ?? 'Deployment') !== kind) continue;
        if (ref?.name === w.metadata?.name) this.enqueue(ns, c.metadata?.name, fresh);
        else if (`${ref?.name}-primary` === w.metadata?.name) this.enqueue(ns, c.metadata?.name);
      }
    };
    this.deployments = make<V1Deployment>('deployments', path('apps', 'v1', 'deployments'), (d) =>
      targetOrPrimary('Deployment', d),
    );
    this.daemonSets = make<V1DaemonSet>('daemonsets', path('apps', 'v1', 'daemonsets'), (d) =>
      targetOrPrimary('DaemonSet', d),
    );
    // A change to any ConfigMap/Secret of a namespace re-reconciles that namespace's canaries; the
    // reconciler's revision hash decides whether it matters, from the contents held on demand.
    this.configs = new ConfigSources(kc, {
      namespace: ns,
      log: opts.log,
      onChange: (namespace) => this.enqueueDependents(namespace, () => true),
      onError: (n) => opts.metrics.apiErrors.inc({ source: `watch/${n}` }),
    });
    this.informers.push(...this.configs.informers);
    const scaledObjects = path('keda.sh', 'v1alpha1', 'scaledobjects');
    this.makeScaledObjects = () =>
      new SupervisedInformer<KubernetesObject>({
        name: 'scaledobjects',
        kubeConfig: kc,
        path: scaledObjects,
        list: () => rest.get<KubernetesListObject<KubernetesObject>>(scaledObjects),
        onChange: (o) =>
          this.enqueueDependents(o.metadata?.namespace, (c) => {
            const ref = c.spec?.autoscalerRef;
            return ref?.kind === 'ScaledObject' && ref.name === o.metadata?.name;
          }),
        log: opts.log,
        onError: (n) => opts.metrics.apiErrors.inc({ source: `watch/${n}` }),
      });
    // The targets' HPAs (autoscalerRef): an edit reaches the primary's copy on the next pass.
    this.autoscalers = make<V2HorizontalPodAutoscaler>(
      'horizontalpodautoscalers',
      path('autoscaling', 'v2', 'horizontalpodautoscalers'),
      (h) =>
        this.enqueueDependents(h.metadata?.namespace, (c) => {
          const ref = c.spec?.autoscalerRef?.name;
          return ref !== undefined && (ref === h.metadata?.name || `${ref}-primary` === h.metadata?.name);
        }),
    );
  }

  /**
   * The Canary a pass decides on: the newer of the informer's copy and this process's own last
   * write of it (so never older than our own effects). A fresh GET instead when asked (a retry
   * after a conflict) and on a canary's first pass since this replica became leader: the
   * previous leader's last write may not have reached our cache yet.
   */
  async readCanary(namespace: string, name: string, fresh: boolean): Promise<CanaryObject | undefined> {
    const key = keyOf(namespace, name);
    if (!fresh && this.verified.has(key)) {
      const seen = this.canaryWrites.read(namespace, name, this.canaries.get(name, namespace));
      return seen && this.inShard(seen) ? seen : undefined;
    }
    const obj = await this.getCanary(namespace, name);
    // Relabelled into another shard since the watch saw it: that shard's operator owns it now.
    if (obj && !this.inShard(obj)) {
      this.verified.delete(key);
      return undefined;
    }
    if (obj) {
      this.canaryWrites.record(obj);
      this.verified.add(key);
    } else this.verified.delete(key);
    return obj;
  }

  private inShard(c: CanaryObject): boolean {
    return matchesSelector(this.shard, c.metadata?.labels);
  }

  /** Records a Canary as the API server returned it from one of our writes. */
  wroteCanary(obj: CanaryObject): void {
    this.canaryWrites.record(obj);
  }

  /** The Canary as the API server has it now (undefined when gone). */
  private async getCanary(namespace: string, name: string): Promise<CanaryObject | undefined> {
    try {
      return await this.rest.get<CanaryObject>(
        resourcePath({ group: GROUP, version: VERSION, plural: 'canaries', namespace, name }),
      );
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  get caches(): Caches {
    return {
      canary: (ns, n) => this.canaries.get(n, ns),
      deployment: (ns, n) => this.deployments.get(n, ns),
      daemonSet: (ns, n) => this.daemonSets.get(n, ns),
      configMap: (ns, n) => this.configs.configMap(ns, n),
      secret: (ns, n) => this.configs.secret(ns, n),
      autoscaler: (ns, n) => this.autoscalers.get(n, ns),
      scaledObject: (ns, n) => this.scaledObject(ns, n),
      metricTemplate: (ns, n) => this.templates.get(n, ns),
      alertProvider: (ns, n) => this.alertProviders.get(n, ns),
    };
  }

  private scaledObject(namespace: string, name: string): KubernetesObject | undefined | typeof MISS {
    if (this.stopped) return MISS;
    if (!this.scaledObjects) {
      // Until KEDA's CRD is served the LIST fails and the informer retries with backoff; lookups
      // meanwhile read the API server, which says whether the kind is served at all.
      this.scaledObjects = this.makeScaledObjects();
      void this.scaledObjects.start();
      return MISS;
    }
    // A synced watch of every ScaledObject: absent from it is absent.
    return this.scaledObjects.healthy() ? this.scaledObjects.get(name, namespace) : MISS;
  }

  /** Queues a pass for a canary (a change to an object it owns); nothing while not leading. */
  requeue(namespace: string, name: string): void {
    this.enqueue(namespace, name);
  }

  private enqueue(namespace: string | undefined, name: string | undefined, urgent = false): void {
    if (namespace && name) this.queue?.add(keyOf(namespace, name), urgent);
  }

  private enqueueDependents(namespace: string | undefined, matches: (c: CanaryObject) => boolean): void {
    if (!namespace) return;
    for (const c of this.canaries.list(namespace)) if (matches(c)) this.enqueue(namespace, c.metadata?.name);
  }

  async startInformers(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
  }

  /** Ready when every informer has listed and none is failed. */
  readiness(): { ok: boolean; reason: string } {
    const bad = this.informers.filter((i) => !i.healthy()).length;
    return bad === 0
      ? { ok: true, reason: 'ok' }
      : { ok: false, reason: `${bad} watches not synced or failing` };
  }

  /**
   * Starts processing (on becoming leader): every known canary is queued once, then on change. A
   * leader that lost the lease and got it back quickly starts its new queue only once every pass
   * of the old one has returned, so one canary is never reconciled by two passes at once.
   */
  startProcessing(handle: Handler): void {
    this.wanted = true;
    // Passes start once every cache is complete (client-go's WaitForCacheSync): a pass on a
    // Deployment cache that has not listed yet would call an existing target missing.
    void Promise.all([this.draining, ...this.informers.map((i) => i.synced)]).then(() => {
      if (!this.wanted || this.queue) return;
      this.verified.clear();
      const queue = new WorkQueue({
        onDepth: (d) => this.opts.metrics.queueDepth.set(d),
        onWait: (s) => this.opts.metrics.queueWait.observe(s),
      });
      this.queue = queue;
      for (const c of this.canaries.list()) this.enqueue(c.metadata?.namespace, c.metadata?.name);
      this.resyncTimer = setInterval(() => {
        for (const c of this.canaries.list()) this.enqueue(c.metadata?.namespace, c.metadata?.name);
      }, this.opts.resyncMs);
      this.resyncTimer.unref();
      this.running = queue.run(this.opts.concurrency, handle, (key, err) => {
        this.opts.metrics.reconciles.inc({ result: 'error' });
        this.opts.log.error({ canary: key, err }, 'reconcile failed; retrying with backoff');
      });
    });
  }

  /** Stops processing (on losing leadership or shutdown) and waits for running passes. */
  async stopProcessing(): Promise<void> {
    this.wanted = false;
    clearInterval(this.resyncTimer);
    const queue = this.queue;
    const running = this.running;
    this.queue = undefined;
    this.running = undefined;
    queue?.shutDown();
    // Chained, so a later startProcessing waits for these passes too.
    this.draining = this.draining.then(() => running);
    await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopProcessing();
    await Promise.all(
      [...this.informers, ...(this.scaledObjects ? [this.scaledObjects] : [])].map((i) => i.stop()),
    );
  }
}
