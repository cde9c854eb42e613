import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  InvalidValueError,
  MultipleValuesError,
  NoValuesError,
  ProviderError,
  type CheckError,
} from '../../../analysis/src/errors.ts';
import { evaluate, type ThresholdRange } from '../../../analysis/src/evaluate.ts';

describe('evaluate: bounds', () => {
  it.each([
    // [value, min, max, verdict]
    [50, undefined, undefined, 'Pass'],
    [-1e9, undefined, undefined, 'Pass'],
    [99.5, 99, undefined, 'Pass'],
    [99, 99, undefined, 'Pass'], // min is inclusive
    [98.99, 99, undefined, 'Fail'],
    [400, undefined, 500, 'Pass'],
    [500, undefined, 500, 'Pass'], // max is inclusive
    [500.01, undefined, 500, 'Fail'],
    [15, 10, 20, 'Pass'],
    [10, 10, 20, 'Pass'],
    [20, 10, 20, 'Pass'],
    [9.999, 10, 20, 'Fail'],
    [20.001, 10, 20, 'Fail'],
    [5, 5, 5, 'Pass'], // a single admitted value
    [0, 0, undefined, 'Pass'],
    [-0.5, 0, undefined, 'Fail'],
    [-3, -5, -1, 'Pass'],
    [0, -5, -1, 'Fail'],
  ] as const)('value %s with min %s, max %s: %s', (value, min, max, verdict) => {
    const result = evaluate({ value }, { min, max });
    expect(result.verdict).toBe(verdict);
    expect(result.value).toBe(value);
  });

  it.each([
    [{ value: 98.5 }, { min: 99 }, { verdict: 'Fail', value: 98.5, min: 99, message: '98.5 < min 99' }],
    [{ value: 612 }, { max: 500 }, { verdict: 'Fail', value: 612, max: 500, message: '612 > max 500' }],
    [
      { value: 99.5 },
      { min: 99, max: 100 },
      { verdict: 'Pass', value: 99.5, min: 99, max: 100, message: '99 <= 99.5 <= 100' },
    ],
    [{ value: 120 }, { max: 500 }, { verdict: 'Pass', value: 120, max: 500, message: '120 <= max 500' }],
    [{ value: 99.9 }, { min: 99 }, { verdict: 'Pass', value: 99.9, min: 99, message: '99.9 >= min 99' }],
    [{ value: 7 }, {}, { verdict: 'Pass', value: 7, message: '7 (no thresholdRange)' }],
    [
      { value: 98.9999999 },
      { min: 99 },
      { verdict: 'Fail', value: 98.9999999, min: 99, message: '98.9999999 < min 99' },
    ],
    [
      { value: 1 / 3 },
      { max: 0.3 },
      { verdict: 'Fail', value: 1 / 3, max: 0.3, message: '0.333333 > max 0.3' },
    ],
  ])('reports %o against %o', (outcome, range, expected) => {
    expect(evaluate(outcome, range)).toEqual(expected);
  });
});

describe('evaluate: no usable value is Inconclusive, never Pass', () => {
  const errors: Array<[string, CheckError]> = [
    ['no values', new NoValuesError()],
    ['several series', new MultipleValuesError([{ version: 'v1' }, { version: 'v2' }])],
    ['NaN', new InvalidValueError(NaN)],
    ['+Inf', new InvalidValueError(Infinity)],
    [
      'a failed query',
      new ProviderError('prometheus http://p: HTTP 400: parse error', { kind: 'http', httpStatus: 400 }),
    ],
    ['a timeout', new ProviderError('prometheus http://p: no answer within 5000 ms', { kind: 'timeout' })],
    ['an unreachable provider', new ProviderError('prometheus http://p: unreachable', { kind: 'network' })],
    ['a config error', new ConfigError('cannot render the query')],
  ];
  it.each(errors)('%s', (_case, error) => {
    expect(evaluate({ error }, { min: 0, max: 100 })).toEqual({
      verdict: 'Inconclusive',
      value: null,
      min: 0,
      max: 100,
      message: error.message,
    });
  });

  it('an error wins over a value given with it', () => {
    expect(evaluate({ value: 50, error: new NoValuesError() }, { min: 0 }).verdict).toBe('Inconclusive');
  });

  it.each([
    ['missing', undefined, 'no value was measured'],
    ['NaN', NaN, 'value is NaN'],
    ['+Inf', Infinity, 'value is +Inf'],
    ['-Inf', -Infinity, 'value is -Inf'],
  ])('a %s value', (_case, value, message) => {
    // No bounds at all: even a check that admits every number does not pass without one.
    expect(evaluate({ value }, {})).toEqual({ verdict: 'Inconclusive', value: null, message });
  });

  it.each([
    ['min > max', { min: 10, max: 5 }, 'thresholdRange min 10 > max 5: no value can pass'],
    ['NaN min', { min: NaN }, 'thresholdRange min is NaN, not a finite number'],
    ['NaN max', { max: NaN }, 'thresholdRange max is NaN, not a finite number'],
    ['infinite max', { max: Infinity }, 'thresholdRange max is +Inf, not a finite number'],
  ])('unusable bounds: %s', (_case, range, message) => {
    const result = evaluate({ value: 7 }, range);
    expect(result).toMatchObject({ verdict: 'Inconclusive', value: 7, message });
  });
});

describe('evaluate: properties', () => {
  const bound = fc.option(fc.double(), { nil: undefined });
  const range = fc.record({ min: bound, max: bound }) as fc.Arbitrary<ThresholdRange>;
  const checkError: fc.Arbitrary<CheckError> = fc.oneof(
    fc.constant(new NoValuesError()),
    fc.constant(new MultipleValuesError([{ a: '1' }, { a: '2' }])),
    fc.constantFrom(NaN, Infinity, -Infinity).map((v) => new InvalidValueError(v)),
    fc.constantFrom('http', 'network', 'timeout', 'response').map((kind) => new ProviderError('x', { kind })),
    fc.constant(new ConfigError('x')),
  );

  it('never passes a non-finite or missing value', () => {
    fc.assert(
      fc.property(fc.constantFrom(NaN, Infinity, -Infinity, undefined), range, (value, r) => {
        const result = evaluate({ value }, r);
        expect(result.verdict).toBe('Inconclusive');
        expect(result.value).toBeNull();
      }),
    );
  });

  it('never passes an error, whatever value comes with it', () => {
    fc.assert(
      fc.property(checkError, fc.option(fc.double(), { nil: undefined }), range, (error, value, r) => {
        expect(evaluate({ value, error }, r).verdict).toBe('Inconclusive');
      }),
    );
  });

  it('passes exactly the finite values inside finite, ordered bounds', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), range, (value, r) => {
        const usable =
          [r.min, r.max].every((b) => b === undefined || Number.isFinite(b)) &&
          !(r.min !== undefined && r.max !== undefined && r.min > r.max);
        const inside = (r.min === undefined || value >= r.min) && (r.max === undefined || value <= r.max);
        const { verdict } = evaluate({ value }, r);
        expect(verdict).toBe(!usable ? 'Inconclusive' : inside ? 'Pass' : 'Fail');
      }),
    );
  });
});
