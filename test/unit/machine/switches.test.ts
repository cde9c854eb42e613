import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../operator/src/machine/index.ts';
import { MINUTE, ofType, plan, weightsSet } from './support.ts';
import { Simulation, type Script } from '../../../operator/src/machine/simulate.ts';

/** The Canary's switches: skipAnalysis, suspend, a changed analysis spec, deletion. */

/** A release initialized on r0 (primary ready at once) that has just detected r1. */
function released(p: Plan, script: Script = {}): Simulation {
  const started = Simulation.start(p, '2026-03-01T12:00:00Z', 'r0', script);
  if (!started.ok) throw new Error(started.error.message);
  return started.value.pass({ primaryReady: true }).pass({ revision: 'r1' }, 1000);
}

describe('spec switches', () => {
  it('skipAnalysis promotes as soon as the canary is ready, without analysis', () => {
    const r = released(plan()).pass({ skipAnalysis: true }, 1000);
    expect(r.phases.slice(-2)).toEqual(['Progressing', 'Succeeded']);
    expect(r.current.effects.map((e) => e.type)).toEqual([
      'setWeights',
      'promote',
      'scaleCanary',
      'recordEvent',
      'sendAlert',
    ]);
    expect(ofType(r.effects, 'runAnalysis')).toEqual([]);
  });

  it('suspend freezes the release; resuming continues where it stood', () => {
    const r = released(plan()).until('Progressing').pass({}, MINUTE);
    const frozen = r.context;
    for (let i = 0; i < 3; i++) r.pass({ suspended: true, revision: 'r2' }, 10 * MINUTE);
    expect(r.steps.slice(-3).flatMap((s) => s.effects)).toEqual([]);
    expect(r.context).toEqual(frozen);
    r.pass({ suspended: false, revision: 'r1' }, 1000).until('Succeeded');
    expect(ofType(r.effects, 'promote').map((e) => e.params.revision)).toEqual(['r1']);
  });

  it('a new plan applies to the running release without changing its phase', () => {
    const r = released(plan()).until('Progressing');
    r.send({ type: 'SET_PLAN', now: r.now, plan: plan({ maxWeight: 10 }) });
    expect(r.current).toMatchObject({ phase: 'Progressing', effects: [] });
    r.until('Succeeded');
    expect(weightsSet(r)).toEqual([10, 0]);
  });
});

describe('deletion', () => {
  it.each(['Initialized', 'Progressing', 'Failed', 'Succeeded'] as const)(
    'from %s with revertOnDeletion: revert the target, then the routes once it is ready',
    (phase) => {
      const r = released(plan({ revertOnDeletion: true, threshold: 1 }), { analysis: ['fail'] }).until(phase);
      r.pass({ deleting: true, suspended: true }, 1000);
      expect(r.current.phase).toBe('Terminating');
      expect(r.current.effects.map((e) => e.type)).toEqual(['revertTarget', 'recordEvent']);
      r.pass({ canaryReady: false }, MINUTE);
      expect(r.current).toMatchObject({ phase: 'Terminating', effects: [] });
      r.pass({ canaryReady: true }, 1000);
      expect(r.current.phase).toBe('Terminated');
      expect(r.current.effects.map((e) => e.type)).toEqual(['revertRoutes', 'recordEvent']);
    },
  );

  it('is not the machine’s business without revertOnDeletion', () => {
    const r = released(plan()).pass({ deleting: true }, 1000);
    expect(r.current.phase).toBe('Progressing');
  });
});
