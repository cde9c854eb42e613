// The I/O half of `fledge watch`: a Kubernetes watch on one Canary feeding the pure renderer.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { createLogUpdate } from 'log-update';
import type { CanaryPhase, CanaryStatus } from '../api/index.ts';
import { GROUP, VERSION } from '../controller.ts';
import { retryBusy } from './retry.ts';
import { followCanary, followUntil } from './follow.ts';
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

export async function getCanary(kc: KubeConfig, namespace: string, name: string): Promise<CanaryView> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return (await retryBusy(() =>
    api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'canaries', name }),
  )) as CanaryView;
}

/** Watches one Canary, rendering every change, until a phase in `until`, the timeout or the signal. */
export async function watchCanary(o: WatchOptions): Promise<WatchResult> {
  const tty = o.tty ?? o.out.isTTY === true;
  const c = colors(o.color ?? tty);
  const until = new Set<CanaryPhase>(o.until ?? ['Succeeded', 'Failed']);
  let last: CanaryView = await getCanary(o.kc, o.namespace, o.name);
  // log-update redraws the frame in place and wraps it to the terminal's width.
  const frame = tty ? createLogUpdate(o.out as NodeJS.WriteStream, { showCursor: true }) : undefined;
  let lastLine = '';

  const draw = () => {
    const now = new Date();
    if (tty) {
      // A pseudo-terminal without a size reports 0 columns.
      const width = o.out.columns || 120;
      const lines = renderFrame(last, { now, colors: c, barWidth: 30 }).map((l) => fit(l, width - 1));
      frame?.(lines.join('\n'));
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

  const end = await followUntil<CanaryView>({
    follow: (onChange) => followCanary(o.kc, o.namespace, o.name, onChange),
    onChange: (obj) => {
      last = obj;
      draw();
    },
    ended,
    // A TTY frame shows ages: refresh it every second even when nothing changes.
    tick: tty ? draw : undefined,
    finish: () => {
      if (tty) {
        draw();
        frame?.done();
      }
    },
    timeoutMs: o.timeoutMs,
    signal: o.signal,
  });
  return { end, status: last.status };
}
