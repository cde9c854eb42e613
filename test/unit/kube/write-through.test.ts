import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { compareResourceVersions, WriteThrough } from '../../../operator/src/kube/write-through.ts';

const dep = (rv: string, image = 'a'): V1Deployment => ({
  metadata: { namespace: 'ns', name: 'web-primary', resourceVersion: rv },
  spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image }] } } },
});

describe('compareResourceVersions', () => {
  it.each([
    ['9', '10', -1],
    ['10', '9', 1],
    ['123456789012345678901', '123456789012345678901', 0],
    ['abc', '1', undefined],
    [undefined, '1', undefined],
  ] as const)('%s vs %s', (a, b, want) => {
    expect(compareResourceVersions(a, b)).toBe(want);
  });
});

describe('WriteThrough', () => {
  it('serves the own write while the cache lags, then the cache once it caught up', () => {
    const w = new WriteThrough<V1Deployment>();
    w.record(dep('20', 'new'));
    expect(w.read('ns', 'web-primary', dep('19', 'old'))?.spec?.template.spec?.containers[0]?.image).toBe(
      'new',
    );
    expect(w.read('ns', 'web-primary', undefined)?.metadata?.resourceVersion).toBe('20');
    // The informer delivered the write, or something newer: the cache is the truth from now on.
    expect(w.read('ns', 'web-primary', dep('21', 'other'))?.metadata?.resourceVersion).toBe('21');
    expect(w.size).toBe(0);
  });

  it('keeps the newer of two own writes, whatever order they are recorded in', () => {
    const w = new WriteThrough<V1Deployment>();
    w.record(dep('30'));
    w.record(dep('25'));
    expect(w.read('ns', 'web-primary', dep('24'))?.metadata?.resourceVersion).toBe('30');
  });

  it('forgets an own write after maxAge (the object may be gone since)', () => {
    let now = 0;
    const w = new WriteThrough<V1Deployment>(1000, () => now);
    w.record(dep('5'));
    now = 999;
    expect(w.read('ns', 'web-primary', undefined)?.metadata?.resourceVersion).toBe('5');
    now = 1001;
    expect(w.read('ns', 'web-primary', undefined)).toBeUndefined();
    expect(w.size).toBe(0);
  });

  it('ignores objects it cannot key or order', () => {
    const w = new WriteThrough<V1Deployment>();
    w.record({ metadata: { name: 'x' } });
    w.record(undefined);
    expect(w.size).toBe(0);
  });
});

describe('WriteThrough expiry without reads', () => {
  it('drops entries of objects never read again once they are older than maxAge', () => {
    let t = 0;
    const wt = new WriteThrough<KubernetesObject>(1_000, () => t);
    wt.record({ metadata: { namespace: 'ns', name: 'gone', resourceVersion: '1' } });
    t = 5_000;
    for (let i = 0; i < 128; i++)
      wt.record({ metadata: { namespace: 'ns', name: `live-${i}`, resourceVersion: '2' } });
    expect(wt.peek('ns', 'gone')).toBeUndefined();
    expect(wt.size).toBe(128);
  });
});

describe('WriteThrough.deleted', () => {
  const obj = (rv: string) => ({ metadata: { namespace: 'shop', name: 'web', resourceVersion: rv } });

  it('drops a write from before the deletion, so the deletion is not hidden until expiry', () => {
    const w = new WriteThrough(30_000, () => 0);
    w.record(obj('10'));
    w.deleted('shop', 'web', '11');
    expect(w.read('shop', 'web', undefined)).toBeUndefined();
  });

  it('keeps a write from after it (the object created again)', () => {
    const w = new WriteThrough(30_000, () => 0);
    w.record(obj('12'));
    w.deleted('shop', 'web', '11');
    expect(w.read('shop', 'web', undefined)?.metadata?.resourceVersion).toBe('12');
  });
});
