import { z } from 'zod';
import { withCel } from './cel.ts';

// Go's time.ParseDuration syntax (what Flagger and the API server's CEL `duration()` both parse),
// minus the sign and the bare "0": a canary interval or timeout is always a positive span.
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC greek mu; Go accepts both
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /([0-9]+(?:[.][0-9]*)?|[.][0-9]+)(ns|us|µs|μs|ms|s|m|h)/gu;
// No backslashes: the same text is a JSON Schema pattern, a JS RegExp and a CEL string literal.
export const DURATION_PATTERN = '^(([0-9]+([.][0-9]*)?|[.][0-9]+)(ns|us|µs|μs|ms|s|m|h))+$';
const WHOLE = new RegExp(DURATION_PATTERN, 'u');
// time.Duration is int64 nanoseconds; the API server's CEL refuses anything longer.
const GO_MAX_MS = (2 ** 63 - 1) / 1e6;

/** Milliseconds in a Go duration string such as "1m30s", or undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? NaN);
  return Number.isFinite(total) ? total : undefined;
}

/**
 * A positive Go duration ("30s", "1m", "1h30m"). The pattern checks the syntax; CEL checks it is
 * not zero ("0s"), which a pattern cannot say readably. maxLength bounds the CEL cost.
 */
export const durationSchema = withCel(
  z
    .string()
    .max(32)
    .regex(WHOLE, { message: 'must be a Go duration such as 30s, 1m or 1h30m' })
    .refine(
      (s) => {
        const ms = durationMs(s);
        return ms === undefined || (ms > 0 && ms <= GO_MAX_MS); // undefined: the regex reports it
      },
      { message: 'must be a duration greater than zero and at most 2562047h' },
    ),
  [
    {
      // Guarded by the pattern so a malformed value reports the pattern, not a CEL conversion error.
      rule: `!self.matches('${DURATION_PATTERN}') || duration(self) > duration('0s')`,
      message: 'must be a duration greater than zero',
    },
  ],
);
