import { describe, expect, it } from 'vitest';
import { parseCanary } from '../../../operator/src/api/index.ts';
import { crossNamespaceRefs } from '../../../operator/src/reconcile/cross-namespace.ts';
import { example } from '../api/valid-canaries.ts';

describe('crossNamespaceRefs', () => {
  it("names every reference to another namespace's MetricTemplate or AlertProvider, and no other", () => {
    const obj = example('every supported field');
    const parsed = parseCanary(obj);
    if (!parsed.ok) throw new Error('example is valid');
    const c = parsed.value;
    c.metadata.namespace = 'team-a';
    c.spec.analysis.metrics = [
      {
        name: 'own',
        templateRef: { name: 't', namespace: 'team-a' },
        thresholdRange: { min: 1 },
        interval: '1m',
      },
      { name: 'implicit', templateRef: { name: 't' }, thresholdRange: { min: 1 }, interval: '1m' },
      {
        name: 'foreign',
        templateRef: { name: 't', namespace: 'team-b' },
        thresholdRange: { min: 1 },
        interval: '1m',
      },
    ] as typeof c.spec.analysis.metrics;
    c.spec.analysis.alerts = [
      { name: 'chat', severity: 'info', providerRef: { name: 'p', namespace: 'fledge-system' } },
    ];
    expect(crossNamespaceRefs(c)).toEqual([
      {
        path: 'spec.analysis.metrics[2].templateRef.namespace',
        message: 'team-b: references to another namespace are refused (noCrossNamespaceRefs)',
      },
      {
        path: 'spec.analysis.alerts[0].providerRef.namespace',
        message: 'fledge-system: references to another namespace are refused (noCrossNamespaceRefs)',
      },
    ]);
  });
});
