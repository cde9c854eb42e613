/**
 * A metric provider answers one query with one number, or throws a typed error from errors.ts
 * (NoValuesError, MultipleValuesError, InvalidValueError, ProviderError, ConfigError).
 * One implementation per file under analysis/src (prometheus.ts).
 */
export interface MetricProvider {
  /** Evaluates `query` at the instant `at` and returns its single finite value. */
  query(query: string, at: Date): Promise<number>;
}
