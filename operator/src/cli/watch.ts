// The I/O half of `fledge watch`: a Kubernetes watch on one Canary feeding the pure renderer.
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { CanaryPhase, CanaryStatus } from '../api/index.ts';
import { GROUP, VERSION } from '../controller.ts';
import { clock, colors, fit, renderFrame, renderLine, type CanaryView } from './render.ts';

/** Where progress goes: process.stdout, or anything with `write`. */
export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface WatchOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  out: Output;
  /** Redraw in place (a terminal) or print one line per change (logs). Default: out.isTTY. */
  tty?: boolean;
  color?: boolean;
  /** Phases that end the watch; default Succeeded and Failed. */
  until?: readonly CanaryPhase[];
  /**
   * A release already seen: while status.lastAppliedSpec is still this hash, no phase ends the
   * watch. Lets a caller change the target and then watch for the outcome of that change only.
   */
  afterRevision?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WatchResult {
  /** `phase`: one of `until` was reached; `timeout`; `aborted` (signal). */
  end: 'phase' | 'timeout' | 'aborted';
  status: CanaryStatus | undefined;
}

const canaryPath = (ns: string) => `/apis/${GROUP}/${VERSION}/namespaces/${ns}/canaries`;

export async function getCanary(kc: KubeConfig, namespace: string, name: string): Promise<CanaryView> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return (await api.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: 'canaries',
    name,
  })) as CanaryView;
}

/** Watches one Canary, rendering every change, until a phase in `until`, the timeout or the signal. */
export async function watchCanary(o: WatchOptions): Promise<WatchResult> {
  const tty = o.tty ?? o.out.isTTY === true;
  const c = colors(o.color ?? tty);
  const until = new Set<CanaryPhase>(o.until ?? ['Succeeded', 'Failed']);
  let last: CanaryView = await getCanary(o.kc, o.namespace, o.name);
  let drawn = 0;
  let lastLine = '';

  const draw = () => {
    const now = new Date();
    if (tty) {
      // A pseudo-terminal without a size reports 0 columns.
      const width = o.out.columns || 120;
      const lines = renderFrame(last, { now, colors: c, barWidth: 30 }).map((l) => fit(l, width - 1));
      // Up to the first line of the previous frame, clear to the end of the screen, draw anew.
      o.out.write((drawn > 0 ? `\x1b[${drawn}A\r\x1b[0J` : '') + lines.join('\n') + '\n');
      drawn = lines.length;
    } else {
      const line = renderLine(last, { colors: c });
      if (line !== lastLine) o.out.write(`${clock(now)} ${line}\n`);
      lastLine = line;
    }
  };
  const ended = (v: CanaryView) => {
    const s = v.status;
    if (!s?.phase || !until.has(s.phase)) return false;
    return o.afterRevision === undefined || s.lastAppliedSpec !== o.afterRevision;
  };

  draw();
  if (ended(last)) return { end: 'phase', status: last.status };

  return new Promise<WatchResult>((resolve) => {
    let finished = false;
    let request: { abort(): void } | undefined;
    let retry: NodeJS.Timeout | undefined;
    // A TTY frame shows ages: refresh it every second even when nothing changes.
    const ticker = tty ? setInterval(draw, 1000) : undefined;
    const timer = o.timeoutMs !== undefined ? setTimeout(() => finish('timeout'), o.timeoutMs) : undefined;
    const onAbort = () => finish('aborted');
    o.signal?.addEventListener('abort', onAbort, { once: true });

    function finish(end: WatchResult['end']) {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      clearTimeout(timer);
      clearTimeout(retry);
      o.signal?.removeEventListener('abort', onAbort);
      request?.abort();
      if (tty) draw();
      resolve({ end, status: last.status });
    }

    const start = async () => {
      if (finished) return;
      try {
        const req = await new Watch(o.kc).watch(
          canaryPath(o.namespace),
          { fieldSelector: `metadata.name=${o.name}` },
          (type: string, obj: CanaryView) => {
            if (finished || type === 'BOOKMARK' || type === 'DELETED') return;
            last = obj;
            draw();
            if (ended(obj)) finish('phase');
          },
          // The API server ends watches every few minutes, and connections break: start again.
          () => restart(),
        );
        if (finished) req.abort();
        else request = req;
      } catch {
        restart();
      }
    };
    const restart = () => {
      if (!finished) retry = setTimeout(() => void start(), 1000);
    };
    if (o.signal?.aborted) finish('aborted');
    else void start();
  });
}
