import { describe, expect, it } from 'vitest';
import { applyObject } from '../../../operator/src/routers/apply.ts';
import type { KubeObject, ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { MemoryClient } from './memory-client.ts';

const ref: ObjectRef = { apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'web' };
const service = (port: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { ports: [{ port }] },
});

/** A MemoryClient whose cache guesses "absent" for every object, counting reads. */
class GuessingClient extends MemoryClient {
  reads = 0;
  override async get(r: ObjectRef) {
    this.reads++;
    return super.get(r);
  }
  likelyAbsent(): boolean {
    return true;
  }
}

describe('applyObject with a cache that says "likely absent"', () => {
  it('creates without reading first', async () => {
    const client = new GuessingClient();
    const result = await applyObject(client, ref, () => service(80));
    expect(result.written).toBe(true);
    expect(client.reads).toBe(0);
    expect(client.writes.map((w) => w.verb)).toEqual(['create']);
  });

  it('updates an object that exists after all: the create conflict makes it read', async () => {
    const client = new GuessingClient();
    client.seed(service(80));
    const result = await applyObject(client, ref, (live) =>
      live ? { ...live, spec: { ports: [{ port: 8080 }] } } : service(8080),
    );
    expect(result.written).toBe(true);
    expect(client.reads).toBe(1);
    expect(client.writes.map((w) => w.verb)).toEqual(['replace']);
    expect(client.peek(ref)?.spec).toEqual({ ports: [{ port: 8080 }] });
  });

  it('never answers "absent" from the guess: nothing to create reads the object', async () => {
    const client = new GuessingClient();
    const existing = client.seed(service(80));
    const result = await applyObject(client, ref, () => undefined);
    expect(result).toEqual({ object: { ...existing, apiVersion: 'v1' }, written: false });
    expect(client.reads).toBe(1);
    expect(client.writes).toEqual([]);
  });
});
