// One fledge object (a Canary, a FleetCanary) followed through a Kubernetes watch for as long as
// the caller wants: the API server ends watches every few minutes and connections break, so a
// watch that ends is started again.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/index.ts';
import type { CanaryView } from './render.ts';

const RESTART_MS = 1000;

export interface Following {
  stop(): void;
}

/** Calls `onChange` with every version of the Canary the watch delivers, until `stop()`. */
export function followCanary(
  kc: KubeConfig,
  namespace: string,
  name: string,
  onChange: (canary: CanaryView) => void,
): Following {
  return followObject(kc, 'canaries', namespace, name, onChange);
}

/** The same for any fledge.dev resource by its plural. */
export function followObject<T>(
  kc: KubeConfig,
  plural: string,
  namespace: string,
  name: string,
  onChange: (obj: T) => void,
): Following {
  let stopped = false;
  let request: { abort(): void } | undefined;
  let retry: NodeJS.Timeout | undefined;
  const restart = () => {
    if (!stopped) retry = setTimeout(() => void start(), RESTART_MS);
  };
  const start = async () => {
    if (stopped) return;
    try {
      const req = await new Watch(kc).watch(
        `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}`,
        { fieldSelector: `metadata.name=${name}` },
        (type: string, obj: T) => {
          if (!stopped && type !== 'BOOKMARK' && type !== 'DELETED') onChange(obj);
        },
        () => restart(),
      );
      if (stopped) req.abort();
      else request = req;
    } catch {
      restart();
    }
  };
  void start();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      request?.abort();
    },
  };
}

export type FollowEnd = 'phase' | 'timeout' | 'aborted';

/**
 * Follows an object until `ended` says so, the timeout or the signal: every version goes to
 * `onChange`, `tick` (a terminal's frame, which shows ages) runs every second if given, and
 * `finish` runs once at the end, before the promise resolves.
 */
export function followUntil<T>(o: {
  follow: (onChange: (obj: T) => void) => Following;
  onChange: (obj: T) => void;
  ended: (obj: T) => boolean;
  tick?: (() => void) | undefined;
  finish: () => void;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}): Promise<FollowEnd> {
  return new Promise<FollowEnd>((resolve) => {
    let finished = false;
    const ticker = o.tick ? setInterval(o.tick, 1000) : undefined;
    const timer = o.timeoutMs !== undefined ? setTimeout(() => end('timeout'), o.timeoutMs) : undefined;
    const onAbort = () => end('aborted');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    function end(how: FollowEnd) {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      following.stop();
      o.finish();
      resolve(how);
    }
    const following = o.follow((obj) => {
      if (finished) return;
      o.onChange(obj);
      if (o.ended(obj)) end('phase');
    });
    if (o.signal?.aborted) end('aborted');
  });
}
