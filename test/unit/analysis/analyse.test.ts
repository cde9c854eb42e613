import { describe, expect, it } from 'vitest';
import { overallVerdict, runChecks, type Check } from '../../../analysis/src/analyse.ts';
import { NoValuesError, ProviderError } from '../../../analysis/src/errors.ts';
import type { Verdict } from '../../../analysis/src/evaluate.ts';
import type { MetricProvider } from '../../../analysis/src/provider.ts';

const P: Verdict = 'Pass';
const F: Verdict = 'Fail';
const I: Verdict = 'Inconclusive';

describe('overallVerdict', () => {
  it.each([
    [[], 'pass'],
    [[P], 'pass'],
    [[P, P, P], 'pass'],
    [[F], 'fail'],
    [[I], 'inconclusive'],
    [[P, F], 'fail'],
    [[P, I], 'inconclusive'],
    [[I, F], 'fail'],
    [[F, I, P], 'fail'],
    [[I, I], 'inconclusive'],
  ] as const)('%j -> %s', (verdicts, expected) => {
    expect(overallVerdict(verdicts.map((verdict) => ({ verdict })))).toBe(expected);
  });
});

/** An in-memory provider answering from a table of query -> value or error. */
function tableProvider(answers: Record<string, number | Error>): MetricProvider & { seen: Date[] } {
  const seen: Date[] = [];
  return {
    seen,
    async query(query, at) {
      seen.push(at);
      const answer = answers[query];
      if (answer === undefined) throw new NoValuesError();
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('runChecks', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('evaluates every check at the same instant and keeps their order', async () => {
    const provider = tableProvider({ success: 99.5, latency: 612 });
    const checks: Check[] = [
      { name: 'request-success-rate', query: 'success', range: { min: 99 }, provider },
      { name: 'request-duration', query: 'latency', range: { max: 500 }, provider },
      { name: 'custom', query: 'missing', range: { max: 1 }, provider },
    ];
    const result = await runChecks(checks, now);
    expect(result).toEqual({
      verdict: 'fail',
      results: [
        {
          name: 'request-success-rate',
          query: 'success',
          at: '2026-03-01T12:00:00.000Z',
          verdict: 'Pass',
          value: 99.5,
          min: 99,
          message: '99.5 >= min 99',
        },
        {
          name: 'request-duration',
          query: 'latency',
          at: '2026-03-01T12:00:00.000Z',
          verdict: 'Fail',
          value: 612,
          max: 500,
          message: '612 > max 500',
        },
        {
          name: 'custom',
          query: 'missing',
          at: '2026-03-01T12:00:00.000Z',
          verdict: 'Inconclusive',
          value: null,
          max: 1,
          message: new NoValuesError().message,
        },
      ],
    });
    expect(provider.seen).toEqual([now, now, now]);
  });

  it('is inconclusive when nothing fails but a check has no data', async () => {
    const provider = tableProvider({ a: 1 });
    const result = await runChecks(
      [
        { name: 'a', query: 'a', range: { max: 1 }, provider },
        { name: 'b', query: 'b', range: { max: 1 }, provider },
      ],
      now,
    );
    expect(result.verdict).toBe('inconclusive');
  });

  it('passes an empty list of checks, as Flagger does with no metrics', async () => {
    expect(await runChecks([], now)).toEqual({ verdict: 'pass', results: [] });
  });

  it('runs the queries concurrently', async () => {
    let inFlight = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const provider: MetricProvider = {
      query: () =>
        new Promise<number>((resolve) => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          releases.push(() => {
            inFlight -= 1;
            resolve(1);
          });
          // All three are waiting at once only if runChecks did not await one before the next.
          if (releases.length === 3) releases.forEach((release) => release());
        }),
    };
    const checks = ['a', 'b', 'c'].map((name) => ({ name, query: name, range: {}, provider }));
    const result = await runChecks(checks, now);
    expect(most).toBe(3);
    expect(result.verdict).toBe('pass');
  });

  it('bounds each query by the timeout; a hanging provider is inconclusive, the others still count', async () => {
    const hanging: MetricProvider = { query: () => new Promise<number>(() => {}) };
    const quick = tableProvider({ q: 5 });
    const result = await runChecks(
      [
        { name: 'hangs', query: 'q', range: { max: 10 }, provider: hanging },
        { name: 'answers', query: 'q', range: { max: 10 }, provider: quick },
      ],
      now,
      { timeoutMs: 20 },
    );
    expect(result.verdict).toBe('inconclusive');
    expect(result.results.map((r) => [r.name, r.verdict, r.message])).toEqual([
      ['hangs', 'Inconclusive', 'no answer within 20 ms'],
      ['answers', 'Pass', '5 <= max 10'],
    ]);
  });

  it.each([
    [
      'a typed error',
      () => Promise.reject(new ProviderError('prometheus http://p: HTTP 503: down', { kind: 'http' })),
      'prometheus http://p: HTTP 503: down',
    ],
    ['an untyped rejection', () => Promise.reject(new TypeError('boom')), 'provider failed: boom'],
    [
      'a synchronous throw',
      () => {
        throw new Error('sync');
      },
      'provider failed: sync',
    ],
    ['a rejection with a non-error', () => Promise.reject('text'), 'provider failed: text'],
  ])('never rejects: %s becomes an inconclusive result', async (_case, query, message) => {
    const provider = { query } as MetricProvider;
    const result = await runChecks([{ name: 'x', query: 'q', range: {}, provider }], now);
    expect(result.verdict).toBe('inconclusive');
    expect(result.results[0]).toMatchObject({ verdict: 'Inconclusive', value: null, message });
  });
});
