import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { canaryPhaseSchema } from '../../../operator/src/api/canary-status.ts';
import { toEffects } from '../../../operator/src/machine/effects.ts';
import type { MachineEvent, PersistedMachine, Plan } from '../../../operator/src/machine/index.ts';
import { canaryMachine, phases, start, step } from '../../../operator/src/machine/index.ts';
import { persist, restingStates, stateValueOf } from '../../../operator/src/machine/persist.ts';
import { phaseOfState } from '../../../operator/src/machine/phase.ts';
import { Simulation } from '../../../operator/src/machine/simulate.ts';

/** The snapshot in status is all a restarted operator has: it must resume exactly, or say why not. */
const plan: Plan = {
  strategy: 'canary',
  intervalMs: 30_000,
  threshold: 2,
  maxWeight: 20,
  stepWeight: 10,
  stepWeightPromotion: 10,
  progressDeadlineSeconds: 60,
  revertOnDeletion: true,
  webhooks: ['confirm-promotion', 'post-rollout'],
};

function simulate(): Simulation {
  const started = Simulation.start(plan, '2026-03-01T12:00:00Z', 'r0', {
    analysis: ['pass', 'fail', 'pass', 'pass'],
    webhooks: { 'confirm-promotion': [false, true] },
  });
  if (!started.ok) throw new Error(started.error.message);
  return started.value.pass({ primaryReady: true }).pass({ revision: 'r1' }, 1000).until('Succeeded');
}

const persisted = (over: Partial<PersistedMachine> = {}): unknown => ({
  ...simulate().current.persisted,
  ...over,
});

describe('restore from persisted JSON', () => {
  it('resumes identically: JSON round trips between steps change no decision', () => {
    const sim = simulate();
    expect(sim.phases).toContain('WaitingPromotion');
    let [snapshot, actions] = initialTransition(canaryMachine, {
      now: '2026-03-01T12:00:00Z',
      plan,
      revision: 'r0',
    });
    const inMemory = [{ persisted: persist(snapshot), effects: toEffects(actions) }];
    for (const event of sim.events) {
      [snapshot, actions] = transition(canaryMachine, snapshot, event);
      inMemory.push({ persisted: persist(snapshot), effects: toEffects(actions) });
    }
    expect(sim.steps.map(({ persisted, effects }) => ({ persisted, effects }))).toEqual(inMemory);
  });

  it('starts an interrupted step over: the request is repeated, nothing is counted twice', () => {
    const sim = simulate();
    const at = sim.steps.findIndex((s) => s.persisted.state === 'analysis.step.measure');
    const interrupted = sim.steps[at]?.persisted;
    const observe = sim.events[at - 1];
    expect(observe?.type).toBe('OBSERVE');
    const again = step(interrupted, {
      ...(observe as MachineEvent),
      now: Date.parse('2026-03-01T12:05:00Z'),
    });
    expect(again.ok && again.value.effects.map((e) => e.type)).toEqual(['runAnalysis']);
    expect(again.ok && again.value.persisted.context).toEqual(interrupted?.context);
  });

  it('continues a promotion applied just before a crash instead of analysing and promoting again', () => {
    const sim = simulate();
    const promoting = sim.steps.findIndex((s) => s.phase === 'Promoting');
    const before = sim.steps[promoting - 1]?.persisted; // status still says: promotion gate asked
    const world = sim.events.findLast((e, i) => i < promoting && e.type === 'OBSERVE');
    if (world?.type !== 'OBSERVE') throw new Error('no observation');
    const restarted = step(before, { ...world, primaryRevision: 'r1', now: world.now });
    expect(restarted.ok && restarted.value.phase).toBe('Promoting');
    expect(restarted.ok && restarted.value.effects.map((e) => e.type)).toEqual(['recordEvent']);
  });

  it.each([
    { why: 'not an object', raw: 'analysis.idle', kind: 'InvalidSnapshot' },
    { why: 'another version', raw: persisted({ version: 2 as 1 }), kind: 'UnsupportedVersion' },
    { why: 'no version', raw: { state: 'succeeded' }, kind: 'UnsupportedVersion' },
    { why: 'a state that does not exist', raw: persisted({ state: 'analysing' }), kind: 'UnknownState' },
    { why: 'a transient state', raw: persisted({ state: 'analysis.step.advance' }), kind: 'UnknownState' },
    { why: 'a compound state', raw: persisted({ state: 'analysis' }), kind: 'UnknownState' },
    {
      why: 'a context that does not validate',
      raw: { ...(persisted() as PersistedMachine), context: { canaryWeight: 120 } },
      kind: 'InvalidSnapshot',
    },
  ])('refuses $why with a typed error', ({ raw, kind }) => {
    const result = step(raw, { type: 'SET_PLAN', now: 0, plan });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.kind).toBe(kind);
    expect(!result.ok && result.error.message.length).toBeGreaterThan(0);
  });

  it.each([
    {
      why: 'a time that is not a time',
      run: () => step(persisted(), { type: 'SET_PLAN', now: 'soon', plan }),
      kind: 'InvalidEvent',
    },
    {
      why: 'a plan that cannot promote',
      run: () => start({ now: 0, revision: 'r0', plan: { ...plan, stepWeight: undefined } }),
      kind: 'InvalidPlan',
    },
    {
      why: 'a new plan that cannot promote',
      run: () => step(persisted(), { type: 'SET_PLAN', now: 0, plan: { ...plan, strategy: 'abtest' } }),
      kind: 'InvalidPlan',
    },
    { why: 'an empty revision', run: () => start({ now: 0, revision: '', plan }), kind: 'InvalidEvent' },
  ])('refuses $why', ({ run, kind }) => {
    const result = run();
    expect(!result.ok && result.error.kind).toBe(kind);
  });
});

describe('phases', () => {
  it('uses exactly the phase names of the Canary status', () => {
    expect([...phases]).toEqual(canaryPhaseSchema.options);
  });

  it('derives a phase for every state a snapshot can rest in, and every phase is reachable', () => {
    const context = simulate().current.persisted.context;
    const reached = [...restingStates].map((state) =>
      phaseOfState(stateValueOf(state), { ...context, promotionHeld: state === 'analysis.waitingPromotion' }),
    );
    expect(new Set(reached)).toEqual(new Set(phases));
  });
});
