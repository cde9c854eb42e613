import { describe, expect, it } from 'vitest';
import { createMetrics, forgetCanary, forgetCanaryGauges } from '../../../operator/src/runtime/metrics.ts';

describe('forgetCanary', () => {
  it('removes every series of the deleted canary and none of another', async () => {
    const m = createMetrics();
    for (const name of ['gone', 'kept']) {
      const labels = { namespace: 'shop', name };
      m.weight.set(labels, 20);
      m.failedChecks.set(labels, 1);
      for (const phase of ['Progressing', 'Succeeded'])
        m.phase.set({ ...labels, phase }, phase === 'Progressing' ? 1 : 0);
      m.checkValue.set({ ...labels, metric: 'success-rate' }, 99);
      m.checkResults.inc({ ...labels, metric: 'success-rate', verdict: 'Pass' });
      m.checkResults.inc({ ...labels, metric: 'latency', verdict: 'Fail' });
    }
    await forgetCanary(m, 'shop', 'gone');
    const text = await m.registry.metrics();
    const canaryLines = text.split('\n').filter((l) => l.startsWith('fledge_canary_'));
    expect(canaryLines.filter((l) => l.includes('name="gone"'))).toEqual([]);
    // 1 weight + 1 failed checks + 2 phases + 1 value + 2 verdict counters of the other canary stay.
    expect(canaryLines.filter((l) => l.includes('name="kept"'))).toHaveLength(7);
  });
});

describe('the operator metrics', () => {
  it('names process metrics once (fledge_process_*, fledge_nodejs_*) and reports the build', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toMatch(/^fledge_process_cpu_seconds_total /m);
    expect(text).toMatch(/^fledge_nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/process_process|fledge_process_nodejs/);
    expect(text).toMatch(/^fledge_build_info\{version="\d+\.\d+\.\d+",node_version="[\d.]+"\} 1$/m);
  });

  it('forgetCanaryGauges drops the gauges of every canary and keeps the counters', async () => {
    const m = createMetrics();
    const labels = { namespace: 'shop', name: 'web' };
    m.weight.set(labels, 20);
    m.phase.set({ ...labels, phase: 'Progressing' }, 1);
    m.releases.inc({ ...labels, result: 'succeeded', reason: '' });
    forgetCanaryGauges(m);
    const lines = (await m.registry.metrics()).split('\n').filter((l) => l.includes('name="web"'));
    expect(lines).toEqual([
      'fledge_canary_releases_total{namespace="shop",name="web",result="succeeded",reason=""} 1',
    ]);
  });
});
