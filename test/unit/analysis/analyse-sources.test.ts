import { describe, expect, it } from 'vitest';
import { parseWithDefaultProvider } from '../../../operator/src/api/index.ts';
import { analyse, type CheckSources } from '../../../operator/src/reconcile/checks.ts';
import { example } from '../api/valid-canaries.ts';

const canary = () => {
  const parsed = parseWithDefaultProvider(example('gatewayapi canary release'), 'gatewayapi');
  if (!parsed.ok) throw new Error('the first valid example must parse');
  return parsed.value;
};
const template = {
  spec: {
    provider: { type: 'prometheus', address: 'http://127.0.0.1:9', secretRef: { name: 'prom' } },
    query: 'up',
  },
};

// A MetricTemplate's secretRef is read from the API server when its content is not held: a read
// that fails is not a verdict on the release (the pass is retried), a missing Secret is.
describe("analyse: a MetricTemplate's Secret", () => {
  const sources = (secret: CheckSources['secret']): CheckSources => ({
    metricTemplate: () => template,
    secret,
    makeProvider: () =>
      ({ query: () => Promise.resolve(0) }) as unknown as ReturnType<
        NonNullable<CheckSources['makeProvider']>
      >,
  });

  it('fails the pass when the API server cannot be read', async () => {
    const outage = new Error('503 Service Unavailable');
    await expect(
      analyse(
        canary(),
        sources(() => Promise.reject(outage)),
        new Date(0),
      ),
    ).rejects.toBe(outage);
  });

  it('is an inconclusive check naming the Secret when it does not exist', async () => {
    const analysis = await analyse(
      canary(),
      sources(() => Promise.resolve(undefined)),
      new Date(0),
    );
    expect(analysis.verdict).not.toBe('Pass');
    expect(analysis.results.map((r) => r.message)).toContain(
      'Secret fledge-system/prom of MetricTemplate error-rate not found',
    );
  });
});
