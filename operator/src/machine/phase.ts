import type { SnapshotFrom, StateValue } from 'xstate';
import { canaryPhaseSchema } from '../api/canary-status.ts';
import type { MachineContext } from './context.ts';
import type { canaryMachine } from './machine.ts';

/** Flagger's phase names, as written to status.phase; the API schema is where they are defined. */
export const phases = canaryPhaseSchema.options;
export type Phase = (typeof phases)[number];

export type CanarySnapshot = SnapshotFrom<typeof canaryMachine>;

/** Top-level states; nested states refine what the machine waits for, never the phase. */
const phaseOfTopState: Record<string, Phase> = {
  initializing: 'Initializing',
  initialized: 'Initialized',
  releasing: 'Progressing', // transient: a snapshot never rests there
  waiting: 'Waiting',
  analysis: 'Progressing',
  promoting: 'Promoting',
  finalising: 'Finalising',
  succeeded: 'Succeeded',
  failed: 'Failed',
  terminating: 'Terminating',
  terminated: 'Terminated',
};

function topState(value: StateValue): string {
  return typeof value === 'string' ? value : (Object.keys(value)[0] ?? '');
}

/**
 * The one place that turns machine state into Flagger's phase; nothing else compares phases. A step
 * taken while the promotion gate is shut (analysis goes on in WaitingPromotion) keeps that phase.
 */
export function phaseOfState(value: StateValue, context: MachineContext): Phase {
  const phase = phaseOfTopState[topState(value)];
  if (phase === undefined) throw new Error(`canary machine has no state ${JSON.stringify(value)}`);
  return phase === 'Progressing' && context.promotionHeld ? 'WaitingPromotion' : phase;
}

export function phaseOf(snapshot: CanarySnapshot): Phase {
  return phaseOfState(snapshot.value, snapshot.context);
}
