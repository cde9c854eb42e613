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

async function read(o: GetOptions): Promise<CanaryView[]> {
  if (o.name !== undefined) return [await getCanary(o.kc, o.namespace ?? 'default', o.name)];
  const api = o.kc.makeApiClient(CustomObjectsApi);
  const base = { group: GROUP, version: VERSION, plural: 'canaries', labelSelector: o.selector };
  const list = (await retryBusy(() =>
    o.namespace === undefined
      ? api.listClusterCustomObject(base)
      : api.listNamespacedCustomObject({ ...base, namespace: o.namespace }),
  )) as { items: CanaryView[] };
  return [...list.items].sort(byName);
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
  o.out.write(`${format(await read(o), o, o.name !== undefined)}\n`);
}

/**
 * Prints, then follows the Canaries until the signal: on a terminal the table is redrawn in place;
 * elsewhere every change prints the changed rows (JSON and YAML: the changed object), as
 * `kubectl get --watch` does.
 */
export async function getWatch(o: GetOptions & { tty: boolean; signal: AbortSignal }): Promise<void> {
  const items = new Map((await read(o)).map((v) => [`${v.metadata.namespace}/${v.metadata.name}`, v]));
  const frame = o.tty ? createLogUpdate(o.out as NodeJS.WriteStream, { showCursor: true }) : undefined;
  const all = () => [...items.values()].sort(byName);
  if (frame) frame(format(all(), o, false));
  else o.out.write(`${format(all(), o, o.name !== undefined)}\n`);
  const path =
    o.namespace === undefined
      ? `/apis/${GROUP}/${VERSION}/canaries`
      : `/apis/${GROUP}/${VERSION}/namespaces/${o.namespace}/canaries`;
  const query: Record<string, string> = {};
  if (o.selector) query['labelSelector'] = o.selector;
  if (o.name !== undefined) query['fieldSelector'] = `metadata.name=${o.name}`;
  await new Promise<void>((resolve) => {
    let request: { abort(): void } | undefined;
    let retry: NodeJS.Timeout | undefined;
    const start = async () => {
      if (o.signal.aborted) return;
      try {
        request = await new Watch(o.kc).watch(
          path,
          query,
          (type: string, obj: CanaryView) => {
            if (type === 'BOOKMARK') return;
            const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
            if (type === 'DELETED') items.delete(key);
            else items.set(key, obj);
            if (frame) frame(format(all(), o, false));
            else if (type !== 'DELETED') {
              const text = format([obj], o, true);
              // A table's changed row without its header; JSON and YAML whole.
              o.out.write(
                `${o.output === 'json' || o.output === 'yaml' ? text : text.split('\n').slice(1).join('\n')}\n`,
              );
            }
          },
          () => {
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
