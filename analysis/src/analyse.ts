import { isCheckError, ProviderError, type CheckError } from './errors.ts';
import { evaluate, type Evaluation, type ThresholdRange, type Verdict } from './evaluate.ts';
import type { MetricProvider } from './provider.ts';

/** One metric check of a step: a rendered query, its bounds, and the provider that runs it. */
export interface Check {
  name: string;
  query: string;
  range: ThresholdRange;
  provider: MetricProvider;
}

/** A check's measurement as the Canary status keeps it: value, bounds, verdict, time. */
export interface CheckResult extends Evaluation {
  name: string;
  query: string;
  /** ISO 8601 instant the query was evaluated at. */
  at: string;
}

export type OverallVerdict = 'pass' | 'fail' | 'inconclusive';

export interface AnalysisResult {
  verdict: OverallVerdict;
  results: CheckResult[];
}

export const defaultQueryTimeoutMs = 10_000;

/**
 * Runs every check at the same instant `now`, concurrently, each bounded by `timeoutMs`, and
 * evaluates them. A provider that hangs or throws turns into an Inconclusive result for its check
 * only; runChecks itself does not reject. Results keep the order of `checks`.
 */
export async function runChecks(
  checks: readonly Check[],
  now: Date,
  options: { timeoutMs?: number } = {},
): Promise<AnalysisResult> {
  const timeoutMs = options.timeoutMs ?? defaultQueryTimeoutMs;
  const results = await Promise.all(
    checks.map(async (check): Promise<CheckResult> => {
      const outcome = await measure(check, now, timeoutMs);
      return {
        name: check.name,
        query: check.query,
        at: now.toISOString(),
        ...evaluate(outcome, check.range),
      };
    }),
  );
  return { verdict: overallVerdict(results), results };
}

/**
 * 'pass' only when every check passed; 'fail' when any failed; otherwise 'inconclusive'. The
 * machine counts 'fail' and 'inconclusive' alike toward the threshold, and neither advances a step
 * (docs/decisions/0003-missing-data-is-a-failed-check.md).
 */
export function overallVerdict(results: ReadonlyArray<{ verdict: Verdict }>): OverallVerdict {
  if (results.some((r) => r.verdict === 'Fail')) return 'fail';
  if (results.some((r) => r.verdict === 'Inconclusive')) return 'inconclusive';
  return 'pass';
}

async function measure(
  check: Check,
  now: Date,
  timeoutMs: number,
): Promise<{ value: number } | { error: CheckError }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ProviderError(`no answer within ${timeoutMs} ms`, { kind: 'timeout' })),
      timeoutMs,
    );
  });
  try {
    // Promise.resolve().then: a provider that throws synchronously is handled like one that rejects.
    const value = await Promise.race([
      Promise.resolve().then(() => check.provider.query(check.query, now)),
      deadline,
    ]);
    return { value };
  } catch (err) {
    return { error: asCheckError(err) };
  } finally {
    clearTimeout(timer);
  }
}

// Only typed errors reach the status. Anything else is a provider bug; its message is kept, but
// not the error itself, which might carry a request (and its credentials) to a log.
function asCheckError(err: unknown): CheckError {
  if (isCheckError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(`provider failed: ${message}`, { kind: 'response' });
}
