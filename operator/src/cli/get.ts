// The I/O half of `fledge get`: read one Canary or a list (a label selector, one namespace or all),
// print it as a table (kubectl's columns, `-o wide` for more), JSON or YAML, and with --watch keep
// printing as the Canaries change.
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { createLogUpdate } from 'log-update';
import { stringify } from 'yaml';
import { GROUP, VERSION } from '../api/index.ts';
import { colors as makeColors, renderTable, type CanaryView } from './render.ts';
import { retryBusy } from './retry.ts';
import { getCanary, type Output } from './watch.ts';

export const outputFormats = ['wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface GetOptions {
  kc: KubeConfig;
  name?: string;
  /** undefined: every namespace. */
  namespace: string | undefined;
  selector?: string;
  output?: OutputFormat;
  out: Output;
  color: boolean;
}

const byName = (a: CanaryView, b: CanaryView) =>
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/**
 * The Canaries asked for, and the resourceVersion a watch of them continues from. One by name is a
 * LIST by field selector when followed: its resourceVersion is the collection's (now), where the
 * object's own may be older than the API server's watch window and answer every watch with 410.
 */
async function read(
  o: GetOptions,
  following = false,
): Promise<{ items: CanaryView[]; resourceVersion: string | undefined }> {
  if (o.name !== undefined && !following) {
    const one = await getCanary(o.kc, o.namespace ?? 'default', o.name);
    return { items: [one], resourceVersion: one.metadata.resourceVersion };
  }
  const api = o.kc.makeApiClient(CustomObjectsApi);
  const base = {
    group: GROUP,
    version: VERSION,
    plural: 'canaries',
    labelSelector: o.selector,
    ...(o.name !== undefined ? { fieldSelector: `metadata.name=${o.name}` } : {}),
  };
  const namespace = o.name !== undefined ? (o.namespace ?? 'default') : o.namespace;
  const list = (await retryBusy(() =>
    namespace === undefined
      ? api.listClusterCustomObject(base)
      : api.listNamespacedCustomObject({ ...base, namespace }),
  )) as { items: CanaryView[]; metadata?: { resourceVersion?: string } };
  return { items: [...list.items].sort(byName), resourceVersion: list.metadata?.resourceVersion };
}

function format(items: CanaryView[], o: GetOptions, single: boolean): string {
  if (o.output === 'json' || o.output === 'yaml') {
    const doc = single ? items[0] : { apiVersion: 'v1', kind: 'List', items };
    return o.output === 'json' ? JSON.stringify(doc, null, 2) : stringify(doc).trimEnd();
  }
  return renderTable(items, {
    allNamespaces: o.namespace === undefined,
    now: new Date(),
    colors: makeColors(o.color),
    wide: o.output === 'wide',
  });
}

/** Prints once. */
export async function get(o: GetOptions): Promise<void> {
  o.out.write(`${format((await read(o)).items, o, o.name !== undefined)}\n`);
}

/**
 * Prints, then follows the Canaries until the signal: on a terminal the table is redrawn in place;
 * elsewhere every change prints the changed rows (JSON and YAML: the changed object), as
 * `kubectl get --watch` does.
 */
export async function getWatch(o: GetOptions & { tty: boolean; signal: AbortSignal }): Promise<void> {
  const key = (v: CanaryView) => `${v.metadata.namespace}/${v.metadata.name}`;
  const first = await read(o, true);
  // A name that matches nothing fails as `get NAME` does (its not-found error and exit code).
  if (o.name !== undefined && first.items.length === 0)
    await getCanary(o.kc, o.namespace ?? 'default', o.name);
  const items = new Map(first.items.map((v) => [key(v), v]));
  // The watch continues from what was printed: without a resourceVersion the API server would
  // replay every Canary as ADDED, printing each row twice. Undefined after a 410: list again.
  let resourceVersion = first.resourceVersion;
  const frame = o.tty ? createLogUpdate(o.out as NodeJS.WriteStream, { showCursor: true }) : undefined;
  const all = () => [...items.values()].sort(byName);
  if (frame) frame(format(all(), o, false));
  else o.out.write(`${format(all(), o, o.name !== undefined)}\n`);
  const path =
    o.namespace === undefined
      ? `/apis/${GROUP}/${VERSION}/canaries`
      : `/apis/${GROUP}/${VERSION}/namespaces/${o.namespace}/canaries`;
  const query: Record<string, string | boolean> = { allowWatchBookmarks: true };
  if (o.selector) query['labelSelector'] = o.selector;
  if (o.name !== undefined) query['fieldSelector'] = `metadata.name=${o.name}`;
  await new Promise<void>((resolve) => {
    let request: { abort(): void } | undefined;
    let retry: NodeJS.Timeout | undefined;
    const print = (obj: CanaryView) => {
      if (frame) return frame(format(all(), o, false));
      const text = format([obj], o, true);
      // A table's changed row without its header; JSON and YAML whole.
      o.out.write(
        `${o.output === 'json' || o.output === 'yaml' ? text : text.split('\n').slice(1).join('\n')}\n`,
      );
    };
    const start = async () => {
      if (o.signal.aborted) return;
      try {
        if (resourceVersion === undefined) {
          // The watch expired: list again, and print what changed while it was down.
          const again = await read(o, true);
          resourceVersion = again.resourceVersion;
          const now = new Map(again.items.map((v) => [key(v), v]));
          for (const k of items.keys()) if (!now.has(k)) items.delete(k);
          for (const [k, v] of now) {
            const had = items.get(k);
            items.set(k, v);
            if (had?.metadata.resourceVersion !== v.metadata.resourceVersion) print(v);
          }
          if (frame) frame(format(all(), o, false));
        }
        request = await new Watch(o.kc).watch(
          path,
          { ...query, ...(resourceVersion ? { resourceVersion } : {}) },
          (type: string, obj: CanaryView | { code?: number }) => {
            if (type === 'ERROR') {
              if ((obj as { code?: number }).code === 410) resourceVersion = undefined;
              return;
            }
            const view = obj as CanaryView;
            resourceVersion = view.metadata.resourceVersion ?? resourceVersion;
            if (type === 'BOOKMARK') return;
            if (type === 'DELETED') {
              items.delete(key(view));
              if (frame) frame(format(all(), o, false));
            } else {
              items.set(key(view), view);
              print(view);
            }
          },
          (err: unknown) => {
            // An expired resourceVersion can also end the watch as an HTTP 410 (not an ERROR event).
            const code =
              (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode ??
              (err as { code?: unknown } | null)?.code;
            if (code === 410) resourceVersion = undefined;
            if (!o.signal.aborted) retry = setTimeout(() => void start(), 1000);
          },
        );
      } catch {
        if (!o.signal.aborted) retry = setTimeout(() => void start(), 1000);
      }
    };
    o.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(retry);
        request?.abort();
        frame?.done();
        resolve();
      },
      { once: true },
    );
    void start();
  });
}
