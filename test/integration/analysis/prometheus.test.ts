import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../../analysis/src/analyse.ts';
import { builtinQuery } from '../../../analysis/src/builtins.ts';
import {
  ConfigError,
  InvalidValueError,
  MultipleValuesError,
  NoValuesError,
  ProviderError,
} from '../../../analysis/src/errors.ts';
import { createPrometheusProvider } from '../../../analysis/src/prometheus.ts';
import type { MetricProvider } from '../../../analysis/src/provider.ts';
import { renderQuery } from '../../../analysis/src/render.ts';
import { startPrometheus, type Prometheus } from '../../env/prometheus.ts';
import { waitFor } from '../../env/wait.ts';
import { startCounterTarget } from './servers.ts';

// The Prometheus provider against a real Prometheus scraping a loopback target whose request
// counters the test controls: v1 answers only 200s, v2 answers 9 of every 10 requests with a 200.
const successRate = `sum(rate(http_requests_total{job="{{ variables.job }}", version="{{ target }}", code!~"5.."}[{{ interval }}]))
/
sum(rate(http_requests_total{job="{{ variables.job }}", version="{{ target }}"}[{{ interval }}]))
* 100`;

const model = (target: string) => ({
  name: 'shop',
  namespace: 'test',
  target,
  service: 'shop',
  interval: '10s',
  variables: { job: 'shop' },
});

/** The provider's value once the query has one (rate() needs two scrapes in its window). */
function valueOf(provider: MetricProvider, query: string): Promise<number> {
  return waitFor(`a value for ${query}`, async () => provider.query(query, new Date()), {
    timeoutMs: 30_000,
    intervalMs: 250,
  });
}

describe('Prometheus provider against a real Prometheus', () => {
  let target: Awaited<ReturnType<typeof startCounterTarget>>;
  let prometheus: Prometheus;
  let provider: MetricProvider;

  beforeAll(async () => {
    target = await startCounterTarget([
      { version: 'v1', code: '200', increment: 10 },
      { version: 'v2', code: '200', increment: 9 },
      { version: 'v2', code: '500', increment: 1 },
    ]);
    prometheus = await startPrometheus({ scrape: [{ job: 'shop', targets: [`127.0.0.1:${target.port}`] }] });
    provider = createPrometheusProvider({ address: prometheus.url, timeoutMs: 5_000 });
    await prometheus.waitForSeries('http_requests_total{job="shop"}');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await target?.close();
  });

  it('returns the success rate of a rendered template', async () => {
    expect(await valueOf(provider, renderQuery(successRate, model('v2')))).toBeCloseTo(90, 6);
    expect(await valueOf(provider, renderQuery(successRate, model('v1')))).toBeCloseTo(100, 6);
  });

  it('judges the canary through runChecks: v2 fails a 99% minimum, v1 passes it', async () => {
    await valueOf(provider, renderQuery(successRate, model('v2')));
    const checks = ['v1', 'v2'].map((version) => ({
      name: `success-${version}`,
      query: renderQuery(successRate, model(version)),
      range: { min: 99 },
      provider,
    }));
    const result = await runChecks(checks, new Date());
    expect(result.verdict).toBe('fail');
    expect(result.results.map((r) => [r.name, r.verdict])).toEqual([
      ['success-v1', 'Pass'],
      ['success-v2', 'Fail'],
    ]);
    expect(result.results[1]?.message).toMatch(/^90(\.\d+)? < min 99$/);
  });

  it('answers NoValuesError when no series matches', async () => {
    await expect(provider.query('http_requests_total{version="v9"}', new Date())).rejects.toBeInstanceOf(
      NoValuesError,
    );
  });

  it('answers MultipleValuesError for a query over two series, naming them', async () => {
    const err = await provider
      .query('sum by (version) (http_requests_total{job="shop"})', new Date())
      .catch((e) => e);
    expect(err).toBeInstanceOf(MultipleValuesError);
    expect(err.count).toBe(2);
    expect(err.series).toEqual(expect.arrayContaining([{ version: 'v1' }, { version: 'v2' }]));
    expect(err.message).toContain('{version="v1"}');
  });

  it('answers ProviderError with the parser message for a broken query', async () => {
    const err = await provider.query('sum(rate(http_requests_total[1m]', new Date()).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'http', httpStatus: 400 });
    expect(err.message).toMatch(new RegExp(`^prometheus ${prometheus.url}: HTTP 400: .*parse error`));
  });

  it.each([
    ['NaN (0/0)', 'vector(0) / 0', NaN],
    ['+Inf', 'vector(1) / 0', Infinity],
    ['-Inf', 'vector(-1) / 0', -Infinity],
    ['a scalar +Inf', '1 / 0', Infinity],
  ])('answers InvalidValueError for %s', async (_case, query, value) => {
    const err = await provider.query(query, new Date()).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidValueError);
    expect(err.value).toBe(value);
  });

  it('reads a scalar result', async () => {
    expect(await provider.query('scalar(vector(42.5))', new Date())).toBe(42.5);
  });

  it('refuses a range vector with a ConfigError', async () => {
    await expect(provider.query('http_requests_total{version="v1"}[1m]', new Date())).rejects.toThrow(
      ConfigError,
    );
  });

  it('evaluates at the given instant, not at the time of the request', async () => {
    // Before the first scrape there was no data: the same query at that instant has no values.
    const past = new Date(Date.now() - 60 * 60 * 1000);
    await expect(provider.query('sum(http_requests_total{job="shop"})', past)).rejects.toBeInstanceOf(
      NoValuesError,
    );
  });

  it.each([
    ['nginx', 'request-success-rate'],
    ['nginx', 'request-duration'],
    ['kubernetes', 'request-success-rate'],
    ['kubernetes', 'request-duration'],
  ] as const)('builtin %s %s is valid PromQL (no data here, so NoValuesError)', async (provider_, metric) => {
    const query = renderQuery(builtinQuery(metric, provider_), { ...model('shop'), ingress: 'shop' });
    await expect(provider.query(query, new Date())).rejects.toBeInstanceOf(NoValuesError);
  });

  // Last: it stops Prometheus for a while.
  it('answers ProviderError while Prometheus is down, and values again once it is back', async () => {
    const query = renderQuery(successRate, model('v2'));
    await prometheus.pause();
    try {
      const err = await provider.query(query, new Date()).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.kind).toBe('network');
      expect(err.message).toContain(`prometheus ${prometheus.url}: unreachable`);
    } finally {
      await prometheus.resume();
    }
    expect(await valueOf(provider, query)).toBeCloseTo(90, 6);
  });
});
