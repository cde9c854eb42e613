import type { CheckResult } from '../../../analysis/src/index.ts';
import type { Canary, CanaryStatus, Check } from '../api/index.ts';
import type { Phase, Step } from '../machine/index.ts';
import { applyHealth, setCondition, type Condition, type Health } from '../status/conditions.ts';
import { healthOf, promotedOf } from '../status/health.ts';
import type { TargetObservation } from '../workloads/workload-target.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function checksOf(results: readonly CheckResult[]): Check[] {
  return results.map((r) => ({
    name: r.name,
    value: r.value,
    ...(r.min !== undefined ? { min: r.min } : {}),
    ...(r.max !== undefined ? { max: r.max } : {}),
    verdict: r.verdict,
    message: r.message,
    time: r.at,
  }));
}

function describePhase(phase: Phase, step: Step, suspended: boolean): string {
  const c = step.persisted.context;
  if (suspended) return `suspended in phase ${phase}`;
  if (c.paused)
    return `paused by command in phase ${phase} at canary weight ${c.canaryWeight}; resume to go on`;
  switch (phase) {
    case 'Progressing':
    case 'WaitingPromotion':
      return `analysing revision ${c.lastAppliedRevision}: canary weight ${c.canaryWeight}, ${c.failedChecks} of ${c.plan.threshold} failed checks`;
    case 'Failed':
      return `revision ${c.lastAppliedRevision} rolled back (${c.failureReason ?? 'failed'}); primary serves ${c.lastPromotedRevision ?? 'the previous revision'}`;
    case 'Succeeded':
    case 'Initialized':
      return `primary serves revision ${c.lastPromotedRevision ?? c.lastAppliedRevision}`;
    default:
      return `${phase} revision ${c.lastAppliedRevision}`;
  }
}

/**
 * The status a pass writes: Flagger's fields mirrored from the machine context, kstatus
 * conditions from the phase, the last check results, and the machine snapshot itself.
 */
export function statusAfter(
  canary: Canary,
  step: Step,
  obs: TargetObservation,
  checks: readonly CheckResult[] | undefined,
  now: Date,
  /** Why the release cannot move (waitingOf), shown instead of the phase's own health. */
  waiting?: Health,
): CanaryStatus {
  const c = step.persisted.context;
  const generation = canary.metadata.generation ?? 0;
  const previous = (canary.status?.conditions ?? []) as Condition[];
  const message = waiting?.message ?? describePhase(step.phase, step, canary.spec.suspend ?? false);
  const health = waiting ?? healthOf(step.phase, message);
  let conditions = applyHealth(previous, health, generation, now.toISOString());
  const promoted = promotedOf(
    step.phase,
    c.lastPromotedRevision !== null && c.lastPromotedRevision === obs.revision,
  );
  conditions = setCondition(
    conditions,
    { type: 'Promoted', status: promoted.status, reason: promoted.reason, message },
    generation,
    now.toISOString(),
  );
  return {
    phase: step.phase,
    observedGeneration: generation,
    canaryWeight: c.canaryWeight,
    failedChecks: c.failedChecks,
    iterations: c.iterations,
    lastAppliedSpec: c.lastAppliedRevision,
    ...(c.lastPromotedRevision ? { lastPromotedSpec: c.lastPromotedRevision } : {}),
    trackedConfigs: obs.trackedConfigs,
    lastTransitionTime: iso(c.phaseStartedAt),
    ...(c.nextStepAt !== null ? { nextStepAt: iso(c.nextStepAt) } : {}),
    message,
    ...(c.paused ? { paused: true } : {}),
    ...(c.lastCommand
      ? {
          lastCommand: {
            id: c.lastCommand.id,
            verb: c.lastCommand.verb,
            revision: c.lastCommand.revision,
            accepted: c.lastCommand.accepted,
            message: c.lastCommand.message,
            time: iso(c.lastCommand.at),
          },
        }
      : {}),
    conditions,
    ...(checks
      ? { checks: checksOf(checks) }
      : canary.status?.checks
        ? { checks: canary.status.checks }
        : {}),
    machine: step.persisted as unknown as Record<string, unknown>,
  };
}

/** Status for a canary the machine cannot run (invalid spec, missing target, bad snapshot): Stalled, machine kept. */
export function stalledStatus(
  canary: Canary | undefined,
  raw: { generation?: number; status?: Record<string, unknown> },
  reason: Parameters<typeof applyHealth>[1]['reason'],
  message: string,
  now: Date,
  kind: 'stalled' | 'reconciling' = 'stalled',
): Record<string, unknown> {
  const generation = raw.generation ?? 0;
  const previous = ((raw.status?.['conditions'] as Condition[] | undefined) ?? []) as Condition[];
  return {
    ...(canary?.status ?? raw.status ?? {}),
    observedGeneration: generation,
    message,
    conditions: applyHealth(previous, { kind, reason, message }, generation, now.toISOString()),
  };
}

/** An error and its causes as one line: "HTTPRoute shop/web: update failed: ... : connection refused". Never throws. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = err;
    e !== undefined && e !== null && parts.length < 5;
    e = (e as { cause?: unknown }).cause
  ) {
    const text = bodyMessage((e as { body?: unknown }).body) ?? (e instanceof Error ? e.message : String(e));
    if (!parts.includes(text)) parts.push(text);
  }
  return parts.join(': ').slice(0, 1000);
}

/** The message of an API server Status body; undefined for a body that is not one (HTML from a proxy, truncated JSON). */
function bodyMessage(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null) {
    const m = (body as { message?: unknown }).message;
    return typeof m === 'string' ? m : undefined;
  }
  if (typeof body !== 'string' || !body.includes('"message"')) return undefined;
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}
