import type { CheckError } from './errors.ts';

export type Verdict = 'Pass' | 'Fail' | 'Inconclusive';

/** A metric's thresholdRange: inclusive bounds, either or both may be absent. */
export interface ThresholdRange {
  min?: number | undefined;
  max?: number | undefined;
}

/** What one query produced: a value, or the typed error that explains why there is none. */
export interface QueryOutcome {
  value?: number | undefined;
  error?: CheckError | undefined;
}

export interface Evaluation {
  verdict: Verdict;
  /** The measured value; null when there is no finite one (status is JSON: no NaN or Inf). */
  value: number | null;
  min?: number;
  max?: number;
  message: string;
}

/**
 * Turns one query outcome and its bounds into a verdict, for every provider
 * (docs/decisions/0003-missing-data-is-a-failed-check.md). Only a finite value inside the bounds
 * passes; no data, NaN, ±Inf, several series, a failed query or unusable bounds are Inconclusive,
 * never Pass. Bounds are inclusive, as in Flagger: a value fails when value < min or value > max.
 */
export function evaluate(outcome: QueryOutcome, range: ThresholdRange): Evaluation {
  const bounds = boundsOf(range);
  if (outcome.error !== undefined) {
    return { verdict: 'Inconclusive', value: null, ...bounds, message: outcome.error.message };
  }
  const value = outcome.value;
  if (value === undefined) {
    return { verdict: 'Inconclusive', value: null, ...bounds, message: 'no value was measured' };
  }
  if (!Number.isFinite(value)) {
    return { verdict: 'Inconclusive', value: null, ...bounds, message: `value is ${special(value)}` };
  }
  const boundsProblem = checkBounds(range);
  if (boundsProblem !== undefined) {
    return { verdict: 'Inconclusive', value, ...bounds, message: boundsProblem };
  }
  if (range.min !== undefined && value < range.min) {
    return {
      verdict: 'Fail',
      value,
      ...bounds,
      message: `${against(value, range.min)} < min ${format(range.min)}`,
    };
  }
  if (range.max !== undefined && value > range.max) {
    return {
      verdict: 'Fail',
      value,
      ...bounds,
      message: `${against(value, range.max)} > max ${format(range.max)}`,
    };
  }
  return { verdict: 'Pass', value, ...bounds, message: passMessage(value, range) };
}

// A NaN bound makes every comparison false, which would silently pass any value; admission
// rejects such ranges, this guards against one that slipped through.
function checkBounds(range: ThresholdRange): string | undefined {
  for (const [name, bound] of [
    ['min', range.min],
    ['max', range.max],
  ] as const) {
    if (bound !== undefined && !Number.isFinite(bound)) {
      return `thresholdRange ${name} is ${special(bound)}, not a finite number`;
    }
  }
  if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
    return `thresholdRange min ${format(range.min)} > max ${format(range.max)}: no value can pass`;
  }
  return undefined;
}

function boundsOf(range: ThresholdRange): { min?: number; max?: number } {
  return {
    ...(range.min !== undefined ? { min: range.min } : {}),
    ...(range.max !== undefined ? { max: range.max } : {}),
  };
}

function passMessage(value: number, range: ThresholdRange): string {
  const v = format(value);
  if (range.min !== undefined && range.max !== undefined)
    return `${format(range.min)} <= ${v} <= ${format(range.max)}`;
  if (range.min !== undefined) return `${v} >= min ${format(range.min)}`;
  if (range.max !== undefined) return `${v} <= max ${format(range.max)}`;
  return `${v} (no thresholdRange)`;
}

// Six significant digits keep 99.95 and 0.00123 readable without hiding a difference that matters.
function format(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(6))) : special(n);
}

// Shows every digit when rounding would print the value equal to the bound it is compared with.
function against(value: number, bound: number): string {
  const shown = format(value);
  return shown === format(bound) && value !== bound ? String(value) : shown;
}

function special(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? '+Inf' : n < 0 ? '-Inf' : String(n);
}
