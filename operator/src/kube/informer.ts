import type { KubeConfig, KubernetesListObject, KubernetesObject, Watch } from '@kubernetes/client-node';
import { ListWatch } from '@kubernetes/client-node/dist/cache.js';
import type { Logger } from 'pino';
import { HttpWatch } from './watch.ts';

/**
 * A client-node informer under supervision, so that it always recovers and never loses an event.
 *
 * client-node's ListWatch reconnects by itself only after a 410 Gone or a client-side timeout; on
 * any other error (a 429 while the API server's storage for a new CRD is initializing, a 5xx, a
 * refused or dropped connection, a LIST that timed out) it calls its error handlers and stops for
 * good. The supervisor restarts the SAME ListWatch with backoff: it resumes the watch from the
 * last resourceVersion it saw, so every event in between is delivered, and when that version is
 * too old (410) it relists and reports every object that went missing meanwhile as deleted. (A
 * fresh informer per restart, as this module once built, starts from an empty cache and never
 * reports those deletes.) It is unhealthy from the error until the restarted LIST and WATCH are
 * established again. A half-open connection needs no watchdog here: the watch (kube/watch.ts)
 * aborts when nothing arrived for 30 s and ListWatch reconnects from the last resourceVersion.
 */
export interface SupervisedInformerOptions<T extends KubernetesObject> {
  name: string;
  kubeConfig: KubeConfig;
  path: string;
  /** Must be bounded (a KubeConfig with a request deadline): a LIST that hangs would stall recovery. */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  onChange: (obj: T, verb: 'add' | 'update' | 'delete') => void;
  /** Called after every successful (re)start so the caller can enqueue everything (level-triggered). */
  onSynced?: () => void;
  log: Logger;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (name: string) => void;
}

/**
 * Drops metadata.managedFields before an object is cached, as controller-runtime's
 * TransformStripManagedFields does: nothing here reads them, and they are often the larger part
 * of a small object (one entry per field manager, every field it set).
 */
function trim<T extends KubernetesObject>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}

export class SupervisedInformer<T extends KubernetesObject> {
  private readonly informer: ListWatch<T>;
  private failures = 0;
  /** Errors seen so far; a start that saw one did not come up. */
  private errors = 0;
  private state: 'stopped' | 'starting' | 'running' | 'failed' = 'stopped';
  private restartTimer: NodeJS.Timeout | undefined;
  private markSynced!: () => void;
  /** Resolves once the first LIST and WATCH are established; the cache is complete from then on. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.markSynced = resolve));
  private readonly options: Required<Pick<SupervisedInformerOptions<T>, 'baseBackoffMs' | 'maxBackoffMs'>> &
    SupervisedInformerOptions<T>;

  constructor(options: SupervisedInformerOptions<T>) {
    this.options = { baseBackoffMs: 500, maxBackoffMs: 30_000, ...options };
    const { kubeConfig, path, list, labelSelector, onChange } = this.options;
    const listTrimmed = async () => {
      const result = await list();
      // A PartialObjectMetadataList with no items has `items: null` on the wire.
      result.items ??= [];
      for (const item of result.items) trim(item);
      return result;
    };
    // HttpWatch has client-node Watch's contract (watch(path, query, callback, done)), not its
    // private fields, which is all the declared type adds.
    const watch = new HttpWatch(kubeConfig) as unknown as Watch;
    const informer = new ListWatch<T>(path, watch, listTrimmed, false, labelSelector);
    // The handlers get the very object the cache stores, so trimming here trims the cache.
    informer.on('add', (obj) => onChange(trim(obj), 'add'));
    informer.on('update', (obj) => onChange(trim(obj), 'update'));
    informer.on('delete', (obj) => onChange(trim(obj), 'delete'));
    informer.on('error', (err: unknown) => this.failed(err));
    this.informer = informer;
  }

  /** Lists and watches; resolves once the first attempt succeeded or failed (retries go on). */
  async start(): Promise<void> {
    await this.launch();
  }

  private async launch(): Promise<void> {
    this.state = 'starting';
    const errorsBefore = this.errors;
    try {
      await this.informer.start();
    } catch (err) {
      // client-node reports most failures through the error handler; a rejection is one too.
      this.failed(err);
    }
    if (this.state !== 'starting' || this.errors !== errorsBefore) return;
    this.state = 'running';
    this.markSynced();
    if (this.failures > 0) this.options.log.info({ informer: this.options.name }, 'watch recovered');
    this.failures = 0;
    this.options.onSynced?.();
  }

  private failed(err: unknown): void {
    this.errors += 1;
    if (this.state === 'stopped') return;
    this.state = 'failed';
    this.options.onError?.(this.options.name);
    const delay = Math.min(this.options.baseBackoffMs * 2 ** this.failures, this.options.maxBackoffMs);
    this.failures += 1;
    this.options.log.warn({ informer: this.options.name, err, retryInMs: delay }, 'watch failed; restarting');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.state !== 'failed') return;
      this.options.log.info({ informer: this.options.name }, 'restarting watch');
      void this.launch();
    }, delay);
    this.restartTimer.unref();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.informer.stop();
  }

  /** Ready once a LIST and WATCH are established; not ready from an error until they are again. */
  healthy(): boolean {
    return this.state === 'running';
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }
}
