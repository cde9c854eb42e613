// Typed failures of a metric check. Every provider throws only these, so one `evaluate` can turn
// any of them into a verdict and the status can say precisely why a check did not pass.

/** Query answered with an empty result: usually no traffic, or a selector that matches nothing. */
export class NoValuesError extends Error {
  override readonly name = 'NoValuesError';
  readonly reason = 'NoValues';
  constructor(message = 'query returned no values (is the target receiving traffic?)') {
    super(message);
  }
}

/**
 * Query answered with more than one series. A check compares one number with its bounds; picking
 * one series (as Flagger does, the last) would judge the canary on an arbitrary part of the data.
 */
export class MultipleValuesError extends Error {
  override readonly name = 'MultipleValuesError';
  readonly reason = 'MultipleValues';
  readonly count: number;
  readonly series: ReadonlyArray<Readonly<Record<string, string>>>;
  constructor(series: ReadonlyArray<Readonly<Record<string, string>>>) {
    const shown = series.slice(0, 3).map(labelSet).join(', ');
    const more = series.length > 3 ? `, and ${series.length - 3} more` : '';
    super(
      `query returned ${series.length} series (${shown}${more}); aggregate it to one value, e.g. with sum()`,
    );
    this.count = series.length;
    this.series = series;
  }
}

/** Query answered NaN or ±Inf: a ratio over zero requests, or a quantile of an empty histogram. */
export class InvalidValueError extends Error {
  override readonly name = 'InvalidValueError';
  readonly reason = 'InvalidValue';
  readonly value: number;
  constructor(value: number) {
    const hint = Number.isNaN(value) ? ' (often 0/0: no requests in the interval)' : '';
    super(`query returned ${formatSpecial(value)}${hint}`);
    this.value = value;
  }
}

export type ProviderErrorKind = 'http' | 'network' | 'timeout' | 'response';

/** The provider could not answer: HTTP error, unreachable, timed out, or an unreadable answer. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly reason = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly httpStatus: number | undefined;
  constructor(
    message: string,
    details: { kind: ProviderErrorKind; httpStatus?: number | undefined; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.httpStatus = details.httpStatus;
  }
}

/** The check is misconfigured (template, builtin, provider, credentials): retrying will not help. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly reason = 'ConfigError';
}

export type CheckError =
  NoValuesError | MultipleValuesError | InvalidValueError | ProviderError | ConfigError;

export function isCheckError(err: unknown): err is CheckError {
  return (
    err instanceof NoValuesError ||
    err instanceof MultipleValuesError ||
    err instanceof InvalidValueError ||
    err instanceof ProviderError ||
    err instanceof ConfigError
  );
}

function labelSet(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return `{${pairs.join(', ')}}`;
}

function formatSpecial(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
