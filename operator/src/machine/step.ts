import { initialTransition, transition } from 'xstate';
import type { MachineContext } from './context.ts';
import { toEffects, type Effect } from './effects.ts';
import { toMillis, type MachineEvent, type MachineInput } from './events.ts';
import { canaryMachine } from './machine.ts';
import { persist, restore, type PersistedMachine } from './persist.ts';
import { phaseOf, type CanarySnapshot, type Phase } from './phase.ts';
import { planSchema } from './plan.ts';
import { err, ok, type Result } from './result.ts';

/** What the reconciler gets from one decision: what to write, what to do, and when to come back. */
export interface Step {
  /** To write to status.machine once every effect succeeded. */
  persisted: PersistedMachine;
  /** To execute in order; stop at the first failure and write nothing. */
  effects: Effect[];
  phase: Phase;
  /** Epoch ms of the next decision that needs no outside change (step due, progress deadline); null if none. */
  requeueAt: number | null;
}

type Transition = [CanarySnapshot, readonly { type: string; params?: unknown }[]];

function toStep([snapshot, actions]: Transition, now: number): Step {
  return {
    persisted: persist(snapshot),
    effects: toEffects(actions),
    phase: phaseOf(snapshot),
    requeueAt: requeueAt(snapshot.context, now),
  };
}

/**
 * The next time at which time alone changes something. A step that was due at `now` and did not
 * run waits for the world (a ready canary or primary, an unsuspended Canary), which the watches
 * report; requeueing at a past time would only spin.
 */
function requeueAt(context: MachineContext, now: number): number | null {
  const deadline =
    context.canaryNotReadySince === null
      ? null
      : context.canaryNotReadySince + context.plan.progressDeadlineSeconds * 1000;
  const times = [context.nextStepAt, deadline].filter((t): t is number => t !== null && t > now);
  return times.length === 0 ? null : Math.min(...times);
}

const validNow = (now: unknown): boolean =>
  (typeof now === 'number' || typeof now === 'string') && Number.isFinite(toMillis(now));

/** The first decision for a Canary without a persisted machine: start initialization. */
export function start(input: MachineInput): Result<Step> {
  if (!validNow(input.now))
    return err('InvalidEvent', `start: now ${JSON.stringify(input.now)} is not a time`);
  if (input.revision === '') return err('InvalidEvent', 'start: the target revision is empty');
  const plan = planSchema.safeParse(input.plan);
  if (!plan.success) return err('InvalidPlan', `plan: ${plan.error.issues.map((i) => i.message).join('; ')}`);
  return ok(toStep(initialTransition(canaryMachine, { ...input, plan: plan.data }), toMillis(input.now)));
}

/**
 * One decision: the persisted machine (status.machine, unvalidated) and an event in, the next
 * machine and its effects out. Pure; an unusable snapshot or event is a typed error, not a throw.
 */
export function step(persisted: unknown, event: MachineEvent): Result<Step> {
  if (!validNow(event.now))
    return err('InvalidEvent', `${event.type}: now ${JSON.stringify(event.now)} is not a time`);
  if (event.type === 'SET_PLAN') {
    const plan = planSchema.safeParse(event.plan);
    if (!plan.success)
      return err('InvalidPlan', `plan: ${plan.error.issues.map((i) => i.message).join('; ')}`);
  }
  const restored = restore(persisted);
  if (!restored.ok) return restored;
  return ok(toStep(transition(canaryMachine, restored.value, event), toMillis(event.now)));
}
