import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ContentOnDemand } from '../../../operator/src/kube/content-on-demand.ts';

type Obj = KubernetesObject & { data?: Record<string, string> };

/** A metadata index and an API server the test controls; `gets` counts the reads. */
function world() {
  const server = new Map<string, Obj>();
  const meta = new Map<string, Obj>();
  let synced = true;
  let failing = false;
  let gate: Promise<void> | undefined;
  const gets: string[] = [];
  const put = (name: string, rv: string, value: string) => {
    const obj = { metadata: { name, namespace: 'ns', resourceVersion: rv }, data: { value } };
    server.set(name, obj);
    meta.set(name, { metadata: obj.metadata });
    return obj;
  };
  const index = {
    get: (name: string) => meta.get(name),
    healthy: () => synced,
  };
  const fetch = async (_ns: string, name: string) => {
    gets.push(name);
    const at = server.get(name);
    await gate;
    if (failing) throw new Error('503');
    return at ? structuredClone(at) : undefined;
  };
  return {
    server,
    meta,
    gets,
    put,
    index,
    fetch,
    set synced(v: boolean) {
      synced = v;
    },
    set failing(v: boolean) {
      failing = v;
    },
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('ContentOnDemand', () => {
  it('reads once per version and shares one read between concurrent passes', async () => {
    const w = world();
    const c = new ContentOnDemand<Obj>(w.index, w.fetch);
    w.put('a', '1', 'one');
    const release = w.hold();
    const both = Promise.all([c.get('ns', 'a'), c.get('ns', 'a')]);
    release();
    expect((await both).map((o) => o?.data?.['value'])).toEqual(['one', 'one']);
    expect((await c.get('ns', 'a'))?.data?.['value']).toBe('one');
    expect(w.gets).toEqual(['a']);
    const changed = w.put('a', '2', 'two');
    c.changed(changed, 'update');
    expect((await c.get('ns', 'a'))?.data?.['value']).toBe('two');
    expect(w.gets).toEqual(['a', 'a']);
  });

  it('does not keep a read that a change or a delete overtook', async () => {
    const w = world();
    const c = new ContentOnDemand<Obj>(w.index, w.fetch);
    w.put('a', '1', 'one');
    const release = w.hold();
    const first = c.get('ns', 'a');
    await Promise.resolve();
    c.changed({ metadata: { name: 'a', namespace: 'ns', resourceVersion: '3' } }, 'delete');
    w.server.delete('a');
    w.meta.delete('a');
    release();
    await first;
    expect(c.size).toBe(0);
    expect(await c.get('ns', 'a')).toBeUndefined();
  });

  it('answers from the last content while the watch is down and the API server fails', async () => {
    const w = world();
    const c = new ContentOnDemand<Obj>(w.index, w.fetch);
    w.put('a', '1', 'one');
    await c.get('ns', 'a');
    w.synced = false;
    w.failing = true;
    expect((await c.get('ns', 'a'))?.data?.['value']).toBe('one');
    await expect(c.get('ns', 'b')).rejects.toThrow('503');
    // With the watch up, a version the cache does not hold is never answered from an older one.
    w.synced = true;
    w.put('a', '2', 'two');
    await expect(c.get('ns', 'a')).rejects.toThrow('503');
  });

  it('forgets contents no pass asked for lately', async () => {
    const w = world();
    let now = 0;
    const c = new ContentOnDemand<Obj>(w.index, w.fetch, 60_000, () => now);
    w.put('a', '1', 'one');
    w.put('b', '1', 'uno');
    await c.get('ns', 'a');
    await c.get('ns', 'b');
    expect(c.size).toBe(2);
    now = 50_000;
    await c.get('ns', 'b');
    now = 70_000;
    await c.get('ns', 'b');
    expect(c.size).toBe(1);
    expect(w.gets).toEqual(['a', 'b']);
  });
});
