import { describe, expect, it } from 'vitest';
import { createMetrics, forgetCanary } from '../../../operator/src/runtime/metrics.ts';

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
