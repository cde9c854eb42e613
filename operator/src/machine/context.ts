import { z } from 'zod';
import { toMillis, type MachineInput } from './events.ts';
import { planSchema } from './plan.ts';
import { TOTAL_WEIGHT } from './schedule.ts';

const percent = z.int().min(0).max(TOTAL_WEIGHT);
const epochMs = z.number().finite();

/** Why the last release failed; Failed is reached for no other reason. */
export const failureReasons = ['threshold', 'progressDeadline', 'rollbackWebhook', 'aborted'] as const;
export type FailureReason = (typeof failureReasons)[number];

/**
 * Everything a restarted operator needs to continue a release exactly where the last one stopped.
 * Times are epoch milliseconds taken from event `now`s, never from a clock.
 */
export const contextSchema = z.object({
  plan: planSchema,
  /** Revision under analysis, or the last one analysed (Flagger's lastAppliedSpec). */
  lastAppliedRevision: z.string().min(1),
  /** Revision the primary serves (Flagger's lastPromotedSpec); null until initialized. */
  lastPromotedRevision: z.string().min(1).nullable(),
  canaryWeight: percent,
  primaryWeight: percent,
  /** Live traffic is copied to the canary (a blue/green release with plan.mirror, while analysed). */
  mirror: z.boolean().default(false),
  /** Failed checks of the current release; passes do not reset them, as in Flagger. */
  failedChecks: z.int().min(0),
  iterations: z.int().min(0),
  /** When the current phase began (status.lastTransitionTime). */
  phaseStartedAt: epochMs,
  /** When the next step (or gate re-check, or promotion shift) is due; null when nothing is timed. */
  nextStepAt: epochMs.nullable(),
  /** Since when the canary has been seen not ready during analysis; the progress deadline runs from it. */
  canaryNotReadySince: epochMs.nullable(),
  /** The confirm-promotion gate said no: analysis goes on in WaitingPromotion. */
  promotionHeld: z.boolean(),
  failureReason: z.enum(failureReasons).nullable(),
  /** When the current (or last) release began, for its duration metric; null before the first. */
  releaseStartedAt: epochMs.nullable().default(null),
  /** A pause command holds this release (weights, steps and the progress deadline) until resumed. */
  paused: z.boolean().default(false),
  /** A promote command opened the next manual gate of this release and it has not been passed yet. */
  approved: z.boolean().default(false),
  /** The last command handled, so it is handled once and status can say what became of it. */
  lastCommand: z
    .object({
      id: z.string(),
      verb: z.string(),
      revision: z.string(),
      accepted: z.boolean(),
      message: z.string(),
      at: epochMs,
    })
    .nullable()
    .default(null),
});
export type MachineContext = z.infer<typeof contextSchema>;

export function initialContext(input: MachineInput): MachineContext {
  return {
    plan: input.plan,
    lastAppliedRevision: input.revision,
    lastPromotedRevision: null,
    canaryWeight: 0,
    primaryWeight: TOTAL_WEIGHT,
    mirror: false,
    failedChecks: 0,
    iterations: 0,
    phaseStartedAt: toMillis(input.now),
    nextStepAt: null,
    canaryNotReadySince: null,
    promotionHeld: false,
    failureReason: null,
    releaseStartedAt: null,
    paused: false,
    approved: false,
    lastCommand: null,
  };
}
