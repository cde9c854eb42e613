// The I/O half of `fledge fleet status`: one FleetCanary read, or followed through a watch, feeding
// the pure renderer (fleet-render.ts).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { createLogUpdate } from 'log-update';
import { GROUP, VERSION } from '../api/index.ts';
import { followObject, followUntil, type FollowEnd } from './follow.ts';
import { fleetOutcome, renderFleet, type FleetView } from './fleet-render.ts';
import { clock, colors, fit } from './render.ts';
import { retryBusy } from './retry.ts';
import type { Output } from './watch.ts';

export async function getFleet(kc: KubeConfig, namespace: string, name: string): Promise<FleetView> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return (await retryBusy(() =>
    api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'fleetcanaries',
      name,
    }),
  )) as FleetView;
}

export interface FleetWatchOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  out: Output;
  tty: boolean;
  color: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Follows a FleetCanary, redrawing its grid, until it is Succeeded or Halted, the timeout or the signal. */
export async function watchFleet(o: FleetWatchOptions): Promise<{ end: FollowEnd; view: FleetView }> {
  const c = colors(o.color);
  let last = await getFleet(o.kc, o.namespace, o.name);
  const frame = o.tty ? createLogUpdate(o.out as NodeJS.WriteStream, { showCursor: true }) : undefined;
  let lastText = '';
  const draw = () => {
    const now = new Date();
    const lines = renderFleet(last, { now, colors: c });
    if (frame) frame(lines.map((l) => fit(l, (o.out.columns || 120) - 1)).join('\n'));
    else {
      // Without a terminal: the grid again only when something in it changed.
      const text = renderFleet(last, { now: new Date(0), colors: c }).join('\n');
      if (text !== lastText) o.out.write(`${clock(now)}\n${lines.join('\n')}\n`);
      lastText = text;
    }
  };
  draw();
  if (fleetOutcome(last.status?.phase)) return { end: 'phase', view: last };
  const end = await followUntil<FleetView>({
    follow: (onChange) => followObject<FleetView>(o.kc, 'fleetcanaries', o.namespace, o.name, onChange),
    onChange: (v) => {
      last = v;
      draw();
    },
    ended: (v) => fleetOutcome(v.status?.phase) !== undefined,
    tick: frame ? draw : undefined,
    finish: () => {
      if (frame) {
        draw();
        frame.done();
      }
    },
    timeoutMs: o.timeoutMs,
    signal: o.signal,
  });
  return { end, view: last };
}
