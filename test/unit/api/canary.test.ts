import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatPath, metricBounds, parseCanary, trafficProvider } from '../../../operator/src/api/index.ts';
import type { CanaryMetric, ProviderName, TrafficProvider } from '../../../operator/src/api/index.ts';
import { invalidCanaries } from './invalid-canaries.ts';
import { example, validExamples } from './valid-canaries.ts';

describe('parseCanary accepts Flagger-shaped Canaries', () => {
  it.each(validExamples)('$name', ({ yaml }) => {
    const result = parseCanary(parse(yaml));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('reads the KEDA example as a ScaledObject autoscalerRef with its trigger query', () => {
    const result = parseCanary(example('kubernetes blue/green with a KEDA ScaledObject'));
    expect(result.ok && result.value.spec.autoscalerRef).toMatchObject({
      kind: 'ScaledObject',
      primaryScalerQueries: { 'prom-trigger': expect.stringContaining('podinfo-primary') },
    });
  });

  it('applies the defaults the API server would apply', () => {
    const result = parseCanary(example('kubernetes blue/green'));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { spec } = result.value;
    expect(spec.analysis.primaryReadyThreshold).toBe(100);
    expect(spec.analysis.canaryReadyThreshold).toBe(100);
    expect(spec.analysis.webhooks?.[0]?.type).toBe('pre-rollout');
    expect(spec.analysis.webhooks?.[1]?.timeout).toBe('5s');
    expect(spec.progressDeadlineSeconds).toBe(60);
  });

  it('defaults threshold, intervals, webhook type and timeout, alert severity', () => {
    const obj = example('every supported field');
    const result = parseCanary(obj);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { analysis } = result.value.spec;
    expect(analysis.metrics?.find((m) => m.name === 'p99')?.interval).toBe('1m');
    expect(analysis.webhooks?.find((w) => w.name === 'more')).toMatchObject({
      type: 'confirm-traffic-increase',
      timeout: '10s',
    });
    expect(analysis.alerts?.find((a) => a.name === 'team')?.severity).toBe('info');
    delete (obj.spec as { analysis: Record<string, unknown> }).analysis.threshold;
    const again = parseCanary(obj);
    expect(again.ok && again.value.spec.analysis.threshold).toBe(1);
  });

  it('refuses Flagger’s own apiVersion, so a Flagger object is never mistaken for a fledge one', () => {
    const obj = { ...example('nginx canary release'), apiVersion: 'flagger.app/v1beta1' };
    const result = parseCanary(obj);
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['apiVersion']);
  });

  it('keeps status, including the opaque machine snapshot', () => {
    const obj = {
      ...example('nginx canary release'),
      status: {
        phase: 'Progressing',
        canaryWeight: 10,
        failedChecks: 0,
        iterations: 1,
        lastTransitionTime: '2025-01-01T00:00:00Z',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Progressing',
            message: 'weight 10',
            lastTransitionTime: '2025-01-01T00:00:00Z',
          },
        ],
        checks: [
          {
            name: 'request-success-rate',
            value: null,
            verdict: 'Inconclusive',
            time: '2025-01-01T00:00:00Z',
          },
        ],
        machine: { version: 1, value: { analysing: 'waiting' }, context: { weight: 10 } },
      },
    };
    const result = parseCanary(obj);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.status?.machine).toEqual(obj.status.machine);
    expect(result.value.status?.checks?.[0]?.value).toBeNull();
  });
});

describe('parseCanary refuses what admission refuses, naming the field', () => {
  it.each(invalidCanaries)('$name → $expectField', ({ object, expectField, expectMessage }) => {
    const result = parseCanary(object);
    if (result.ok) throw new Error('accepted');
    const named = result.errors.filter(
      (e) =>
        e.path === expectField ||
        e.path.startsWith(`${expectField}.`) ||
        e.path.startsWith(`${expectField}[`),
    );
    expect(named, JSON.stringify(result.errors)).not.toEqual([]);
    if (expectMessage !== undefined) expect(named.map((e) => e.message).join('\n')).toContain(expectMessage);
  });

  it('every table row has its own object name, so they can all be applied to one namespace', () => {
    const names = invalidCanaries.map((c) => (c.object.metadata as { name: string }).name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('metricBounds', () => {
  const metric = (m: Partial<CanaryMetric>): CanaryMetric => ({ name: 'x', interval: '1m', ...m });
  it.each([
    ['thresholdRange wins', metric({ thresholdRange: { min: 1, max: 2 } }), { min: 1, max: 2 }],
    [
      'deprecated threshold is a minimum for request-success-rate',
      metric({ name: 'request-success-rate', threshold: 99 }),
      { min: 99 },
    ],
    [
      'deprecated threshold is a maximum for request-duration (ms)',
      metric({ name: 'request-duration', threshold: 500 }),
      { max: 500 },
    ],
    ['deprecated threshold is a maximum for any other metric', metric({ threshold: 3 }), { max: 3 }],
    ['no bounds', metric({}), {}],
  ])('%s', (_name, m, bounds) => {
    expect(metricBounds(m)).toEqual(bounds);
  });
});

describe('trafficProvider', () => {
  it.each<[ProviderName, TrafficProvider]>([
    ['gatewayapi', 'gatewayapi'],
    ['gatewayapi:v1', 'gatewayapi'],
    ['gatewayapi:v1beta1', 'gatewayapi'],
    ['nginx', 'nginx'],
    ['kubernetes', 'kubernetes'],
  ])('%s → %s', (name, router) => {
    expect(trafficProvider(name)).toBe(router);
  });
});

describe('formatPath', () => {
  it.each<[PropertyKey[], string]>([
    [['spec', 'analysis', 'metrics', 0, 'thresholdRange'], 'spec.analysis.metrics[0].thresholdRange'],
    [['spec', 'analysis', 'stepWeights', 1], 'spec.analysis.stepWeights[1]'],
    [[], ''],
  ])('%j → %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
