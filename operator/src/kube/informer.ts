import {
  makeInformer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';

/**
 * A client-node informer under supervision. client-node's ListWatch stops for good on most
 * errors (only 410 Gone and client timeouts reconnect by themselves), and a half-open connection
 * can stall it silently. This wrapper restarts it with backoff after an error, restarts it when
 * it has been quiet for longer than `maxQuietMs` (re-establishing the watch), and reports health
 * for /readyz.
 */
export interface SupervisedInformerOptions<T extends KubernetesObject> {
  name: string;
  kubeConfig: KubeConfig;
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  onChange: (obj: T, verb: 'add' | 'update' | 'delete') => void;
  /** Called after every (re)list so the caller can enqueue everything (level-triggered resync). */
  onSynced?: () => void;
  log: Logger;
  maxQuietMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (name: string) => void;
}

export class SupervisedInformer<T extends KubernetesObject> {
  private informer: ReturnType<typeof makeInformer<T>>;
  private current: ReturnType<typeof makeInformer<T>> | undefined;
  private lastActivity = Date.now();
  private failures = 0;
  private state: 'stopped' | 'starting' | 'running' | 'failed' = 'stopped';
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private synced = false;
  private readonly options: Required<
    Pick<SupervisedInformerOptions<T>, 'maxQuietMs' | 'baseBackoffMs' | 'maxBackoffMs'>
  > &
    SupervisedInformerOptions<T>;

  constructor(options: SupervisedInformerOptions<T>) {
    this.options = { maxQuietMs: 5 * 60_000, baseBackoffMs: 500, maxBackoffMs: 30_000, ...options };
    this.informer = this.build();
    this.current = this.informer;
  }

  private build() {
    const { kubeConfig, path, list, labelSelector, onChange } = this.options;
    const informer = makeInformer<T>(kubeConfig, path, list, labelSelector);
    const touch = () => (this.lastActivity = Date.now());
    informer.on('add', (obj) => (touch(), onChange(obj, 'add')));
    informer.on('update', (obj) => (touch(), onChange(obj, 'update')));
    informer.on('delete', (obj) => (touch(), onChange(obj, 'delete')));
    informer.on('connect', () => {
      touch();
      if (this.state === 'starting') this.state = 'running';
    });
    // Only the newest informer may report failure; a replaced one's late errors are noise.
    informer.on('error', (err: unknown) => {
      if (informer === this.current) this.failed(err);
    });
    return informer;
  }

  async start(): Promise<void> {
    this.watchdog ??= setInterval(() => this.checkQuiet(), Math.min(this.options.maxQuietMs, 30_000));
    this.watchdog.unref();
    await this.launch(this.informer);
  }

  /** Lists and watches with `informer`; true when it came up (client-node reports failures by callback). */
  private async launch(informer: ReturnType<typeof makeInformer<T>>): Promise<boolean> {
    this.state = 'starting';
    try {
      await informer.start();
    } catch (err) {
      this.failed(err);
    }
    if (this.state !== 'starting' && this.state !== 'running') return false;
    this.state = 'running';
    this.failures = 0;
    this.synced = true;
    this.lastActivity = Date.now();
    this.options.onSynced?.();
    return true;
  }

  private failed(err: unknown): void {
    if (this.state === 'stopped') return;
    this.state = 'failed';
    this.options.onError?.(this.options.name);
    const delay = Math.min(this.options.baseBackoffMs * 2 ** this.failures, this.options.maxBackoffMs);
    this.failures += 1;
    this.options.log.warn({ informer: this.options.name, err, retryInMs: delay }, 'watch failed; restarting');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart('error'), delay);
    this.restartTimer.unref();
  }

  private checkQuiet(): void {
    if (this.state === 'running' && Date.now() - this.lastActivity > this.options.maxQuietMs) {
      void this.restart('quiet');
    }
  }

  /**
   * Rebuilds the informer: a fresh list and watch, so nothing missed during an outage stays
   * missed. The old cache keeps serving reads until the new one has listed.
   */
  private async restart(why: 'error' | 'quiet'): Promise<void> {
    if (this.state === 'stopped') return;
    this.options.log.info({ informer: this.options.name, why }, 'restarting watch');
    const previous = this.informer;
    const next = this.build();
    this.current = next;
    if (await this.launch(next)) {
      this.informer = next;
      await previous.stop().catch(() => {});
    } else {
      await next.stop().catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    await this.informer.stop();
  }

  /** Ready once the first list completed; not ready while the watch is failed. */
  healthy(): boolean {
    return this.synced && this.state !== 'failed' && this.state !== 'stopped';
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }
}
