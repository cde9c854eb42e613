import type { Plan, WebhookType } from './plan.ts';

/**
 * A point in time as the reconciler has it: an RFC 3339 string or epoch milliseconds. Time only
 * enters the machine through events, so a restarted operator resumes from persisted timestamps.
 */
export type Instant = string | number;

/** Epoch milliseconds of an instant; NaN when the string is not a date (the facade refuses those). */
export function toMillis(now: Instant): number {
  return typeof now === 'number' ? now : Date.parse(now);
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** One metric check of a step, kept only to explain a failed check in the event message. */
export interface CheckSummary {
  name: string;
  verdict: Verdict;
  message?: string;
}

/**
 * The world as read at the start of every reconcile pass. It is also the clock tick: the pass the
 * reconciler requeues at `nextStepAt` observes the world with a later `now`, so steps, deadlines
 * and promotion shifts need no separate timer event.
 */
export interface ObserveEvent {
  type: 'OBSERVE';
  now: Instant;
  /** Hash of the target's pod template and the ConfigMaps/Secrets it uses. */
  revision: string;
  /**
   * Revision the primary workload runs (the annotation the promote and ensurePrimary effects write),
   * or null when unknown. It lets the machine notice a promotion that was applied just before a
   * crash, and record what initialization really promoted.
   */
  primaryRevision: string | null;
  /** Primary rolled out at its current spec and ready (primaryReadyThreshold applied). */
  primaryReady: boolean;
  /** Target (canary) workload rolled out at its current spec and ready (canaryReadyThreshold applied). */
  canaryReady: boolean;
  suspended: boolean;
  skipAnalysis: boolean;
  /** The Canary has a deletionTimestamp. */
  deleting: boolean;
}

/** The outcome of a `runAnalysis` effect: the metric checks of the current step. */
export interface AnalysisResultEvent {
  type: 'ANALYSIS_RESULT';
  now: Instant;
  verdict: Verdict;
  checks: readonly CheckSummary[];
}

/**
 * The outcome of a `runWebhooks` effect. `ok` is true when every webhook of that type answered
 * success (for `rollback`: when one of them asks for a rollback). Call errors count as not ok.
 */
export interface WebhookResultEvent {
  type: 'WEBHOOK_RESULT';
  now: Instant;
  webhook: WebhookType;
  ok: boolean;
}

/** The Canary spec changed: the release configuration is replaced, the phase is kept. */
export interface SetPlanEvent {
  type: 'SET_PLAN';
  now: Instant;
  plan: Plan;
}

export type CommandVerb = 'promote' | 'abort' | 'retry' | 'pause' | 'resume';

/**
 * A person's command (`kubectl fledge promote` and the others), given once per command id. It
 * names the revision it is for; the machine refuses it for any other release, and refuses a
 * command the phase does not allow, recording why.
 */
export interface CommandEvent {
  type: 'COMMAND';
  now: Instant;
  id: string;
  /** 'invalid' only with `error`: an annotation that is not a command. */
  verb: CommandVerb | 'invalid';
  revision: string;
  /** promote only: skip the remaining analysis and gates. */
  full: boolean;
  /**
   * The world of the pass the command arrives in: it is decided before that pass's OBSERVE, so a
   * command is refused when the target has already moved on from the revision it names.
   */
  observed: Pick<ObserveEvent, 'revision' | 'suspended' | 'deleting'>;
  /** Set when the annotation could not be read; the command is refused with it. */
  error?: string;
}

export type MachineEvent =
  ObserveEvent | AnalysisResultEvent | WebhookResultEvent | SetPlanEvent | CommandEvent;

/** What the reconciler gives when a Canary is first seen. */
export interface MachineInput {
  now: Instant;
  plan: Plan;
  revision: string;
}
