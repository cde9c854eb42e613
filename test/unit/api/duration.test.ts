import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationMs, durationSchema } from '../../../operator/src/api/index.ts';

describe('durationMs', () => {
  it.each<[string, number | undefined]>([
    ['30s', 30_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1m0s', 60_000],
    ['1500ms', 1500],
    ['.5s', 500],
    ['1.s', 1000],
    ['2us', 0.002],
    ['2µs', 0.002],
    ['2μs', 0.002],
    ['10ns', 0.00001],
    ['1d', undefined],
    ['60', undefined],
    ['-1s', undefined],
    ['1 m', undefined],
    ['', undefined],
  ])('%s → %s', (text, ms) => {
    const got = durationMs(text);
    if (ms === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(ms, 9);
  });

  it('is the sum of its parts, for any sequence of whole amounts and units', () => {
    const unitMs = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
    const part = fc.tuple(
      fc.nat({ max: 10_000 }),
      fc.constantFrom(...(Object.keys(unitMs) as (keyof typeof unitMs)[])),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        expect(durationMs(text)).toBe(parts.reduce((sum, [n, u]) => sum + n * unitMs[u], 0));
      }),
    );
  });
});

describe('durationSchema', () => {
  it.each(['1m', '10s', '1h30m', '250ms'])('accepts %s', (text) => {
    expect(durationSchema.safeParse(text).success).toBe(true);
  });
  it.each([
    ['0s', 'greater than zero'],
    ['00m', 'greater than zero'],
    ['999999999999h', 'at most 2562047h'],
    ['1d', 'Go duration'],
    ['x'.repeat(33), 'Too big'],
  ])('refuses %s', (text, message) => {
    const result = durationSchema.safeParse(text);
    expect(result.error?.issues.map((i) => i.message).join('\n')).toContain(message);
  });
});
