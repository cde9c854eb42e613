// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// Follows ONE named object on the real API server: list it (by field selector, which gives a
// resourceVersion), then watch from there. The watch is re-established whenever it ends (the server
// closes it every `timeoutSeconds`), resuming from the last resourceVersion seen (events and
// bookmarks); a 410 Gone or any error relists. Changes reach `onChange` as soon as the API server
// sends them (well under a second), and a missing CRD or object is simply "absent" until it appears.
import { Watch, type KubeConfig } from '@kubernetes/client-node';

export interface ListResult<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

export interface WatchObjectOptions<T> {
  kubeConfig: KubeConfig;
  /** The namespaced collection, e.g. /apis/apps/v1/namespaces/demo/deployments */
  path: string;
  name: string;
  /** Lists the collection with this field selector (a typed client call). */
  list: (fieldSelector: string) => Promise<ListResult<T>>;
  /** The object after every change; undefined while it does not exist (or cannot be read). */
  onChange: (obj: T | undefined) => void;
}

export interface ObjectWatch<T> {
  current(): T | undefined;
  /** Resolves after the first successful list. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

interface WatchEvent {
  metadata?: { resourceVersion?: string };
  code?: number;
}

/** Resolves once `watch` has listed, or rejects after `timeoutMs` naming `what`. */
export async function whenSynced<T>(watch: ObjectWatch<T>, what: string, timeoutMs = 30_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`could not list ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([watch.synced, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function watchObject<T extends WatchEvent>(o: WatchObjectOptions<T>): ObjectWatch<T> {
  const fieldSelector = `metadata.name=${o.name}`;
  let current: T | undefined;
  let resourceVersion: string | undefined;
  let stopped = false;
  let abort: AbortController | undefined;
  let wake: (() => void) | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const set = (obj: T | undefined) => {
    current = obj;
    o.onChange(obj);
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => (clearTimeout(timer), resolve());
    });

  const watchOnce = () =>
    new Promise<void>((resolve, reject) => {
      const onEvent = (phase: string, obj: T) => {
        if (phase === 'ERROR') {
          // 410 Gone: our resourceVersion is too old; relist. Other errors relist too.
          resourceVersion = undefined;
          return;
        }
        resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
        if (phase === 'ADDED' || phase === 'MODIFIED') set(obj);
        else if (phase === 'DELETED') set(undefined);
      };
      const query = { fieldSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 20 };
      new Watch(o.kubeConfig)
        .watch(o.path, query, onEvent, (err: unknown) => (err ? reject(err) : resolve()))
        .then((controller) => {
          abort = controller;
          if (stopped) controller.abort();
        }, reject);
    });

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        if (resourceVersion === undefined) {
          const listed = await o.list(fieldSelector);
          resourceVersion = listed.metadata?.resourceVersion;
          set(listed.items[0]);
          markSynced();
        }
        await watchOnce();
        failures = 0;
      } catch {
        if (stopped) break;
        resourceVersion = undefined;
        failures += 1;
        await pause(Math.min(100 * 2 ** failures, 2_000));
      }
    }
  };
  const running = run();

  return {
    current: () => current,
    synced,
    stop: async () => {
      stopped = true;
      abort?.abort();
      wake?.();
      markSynced();
      await running;
    },
  };
}
