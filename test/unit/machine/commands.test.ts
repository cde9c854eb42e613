import { describe, expect, it } from 'vitest';
import type { Effect, Plan } from '../../../operator/src/machine/index.ts';
import { Simulation, type Script } from '../../../operator/src/machine/simulate.ts';
import { MINUTE, ofType, plan, weightsSet } from './support.ts';

/** Manual control: each command acts on the release it names, in the phases that allow it. */
function released(p: Plan, script: Script = {}): Simulation {
  const started = Simulation.start(p, 0, 'r0', script);
  if (!started.ok) throw new Error(started.error.message);
  return started.value.pass({ primaryReady: true }).pass({ revision: 'r1' }, 1000);
}
const reasons = (effects: Effect[]) => ofType(effects, 'recordEvent').map((e) => e.params.reason);
const manual = (gates: Plan['webhooks']): Partial<Plan> => ({ webhooks: gates, manualGates: gates });

describe('promote', () => {
  it('opens a manual confirm-rollout gate at once, and only that gate', () => {
    const r = released(plan(manual(['confirm-rollout', 'confirm-promotion'])));
    expect(r.current.phase).toBe('Waiting');
    r.pass({}, 5 * MINUTE);
    expect(r.current.phase).toBe('Waiting'); // asked again, nobody opened it
    r.command('promote');
    expect(r.current.phase).toBe('Progressing');
    expect(r.context.lastCommand).toMatchObject({ verb: 'promote', revision: 'r1', accepted: true });
    r.until('WaitingPromotion');
    r.pass({}, 5 * MINUTE);
    expect(r.current.phase).toBe('WaitingPromotion');
    expect(r.context.canaryWeight).toBe(30);
    r.command('promote');
    expect(r.current.phase).toBe('Promoting');
    r.until('Succeeded');
    expect(r.world.primaryRevision).toBe('r1');
  });

  it('given before the gate, opens the next manual gate when the release reaches it', () => {
    const r = released(plan(manual(['confirm-promotion'])));
    r.pass({}, 0);
    expect(r.current.phase).toBe('Progressing');
    r.command('promote');
    r.until('Succeeded', 20);
    expect(r.phases).not.toContain('WaitingPromotion');
  });

  it('is refused, with the way out, when the release has no manual gate', () => {
    const r = released(plan());
    r.command('promote');
    expect(r.context.lastCommand).toMatchObject({ accepted: false });
    expect(r.context.lastCommand?.message).toMatch(/manual gates and this release has none; promote --full/);
    expect(reasons(r.current.effects)).not.toContain('CommandAccepted');
    expect(reasons(r.steps.at(-2)?.effects ?? [])).toContain('CommandRefused');
  });

  it('--full promotes from the middle of the analysis without another check', () => {
    const r = released(plan({ maxWeight: 50 }));
    r.until('Progressing').pass({}, MINUTE);
    const measured = ofType(r.effects, 'runAnalysis').length;
    r.command('promote', { full: true });
    expect(r.phases.at(-2)).toBe('Promoting');
    r.until('Succeeded');
    expect(ofType(r.effects, 'runAnalysis')).toHaveLength(measured);
    expect(ofType(r.effects, 'promote').map((e) => e.params.revision)).toEqual(['r1']);
  });

  it('--full passes a gate a webhook keeps shut', () => {
    const r = released(plan({ webhooks: ['confirm-rollout'] }), { webhooks: { 'confirm-rollout': [false] } });
    expect(r.current.phase).toBe('Waiting');
    r.command('promote', { full: true });
    r.until('Succeeded');
    expect(r.world.primaryRevision).toBe('r1');
  });
});

describe('a command for another release', () => {
  it('is refused and changes nothing else, even when it would be allowed', () => {
    const r = released(plan());
    r.until('Progressing').pass({}, MINUTE);
    const before = { ...r.context, lastCommand: null };
    r.command('abort', { revision: 'r0' });
    expect(r.current.phase).toBe('Progressing');
    expect(r.context.lastCommand?.message).toBe('refused: abort is for revision r0, but the release is r1');
    expect({ ...r.context, lastCommand: null, nextStepAt: before.nextStepAt }).toEqual(before);
  });

  it('an unreadable command is refused with the reason', () => {
    const r = released(plan());
    r.command('abort', { error: 'fledge.dev/command is not JSON' });
    expect(r.current.phase).not.toBe('Failed');
    expect(r.context.lastCommand).toMatchObject({
      accepted: false,
      message: 'refused: fledge.dev/command is not JSON',
    });
  });
});

describe('abort', () => {
  it('rolls back mid-analysis: all traffic to the primary, the canary to zero, the primary untouched', () => {
    const r = released(plan());
    r.until('Progressing').pass({}, MINUTE);
    expect(r.context.canaryWeight).toBeGreaterThan(0);
    r.command('abort');
    expect(r.current.phase).toBe('Failed');
    expect(r.context.failureReason).toBe('aborted');
    expect(weightsSet(r).at(-1)).toBe(0);
    expect(ofType(r.effects, 'promote')).toEqual([]);
    expect(r.world.primaryRevision).toBe('r0');
    expect(reasons(r.effects)).toContain('RolledBack');
  });

  it('is refused once the primary runs the new revision', () => {
    const r = released(plan());
    r.until('Promoting');
    r.command('abort');
    expect(r.context.lastCommand).toMatchObject({
      accepted: false,
      message: 'refused: abort does not apply while Promoting',
    });
    r.until('Succeeded');
  });
});

describe('retry', () => {
  it('analyses the failed revision again without a change to the target', () => {
    const r = released(plan(), { analysis: ['fail', 'fail'] });
    r.until('Failed');
    r.pass({}, 10 * MINUTE);
    expect(r.current.phase).toBe('Failed'); // the same revision is not released again by itself
    r.command('retry');
    expect(r.current.phase).toBe('Progressing');
    expect(r.context).toMatchObject({ failedChecks: 0, lastAppliedRevision: 'r1' });
    r.until('Succeeded');
    expect(r.world.primaryRevision).toBe('r1');
  });

  it('is refused outside Failed', () => {
    const r = released(plan());
    r.command('retry');
    expect(r.context.lastCommand?.accepted).toBe(false);
  });
});

describe('pause and resume', () => {
  it('pause holds the weight and the progress deadline; resume goes on from there', () => {
    const r = released(plan({ progressDeadlineSeconds: 60 }));
    r.until('Progressing').pass({}, MINUTE);
    const weight = r.context.canaryWeight;
    r.command('pause');
    r.pass({ canaryReady: false }, 10 * MINUTE).pass({}, 10 * MINUTE);
    expect(r.current.phase).toBe('Progressing');
    expect(r.context.canaryWeight).toBe(weight);
    r.pass({ canaryReady: true }, 0);
    r.command('resume');
    expect(r.context.paused).toBe(false);
    r.until('Succeeded');
  });

  it('a pause ends with its release: a newer revision is analysed at once', () => {
    const r = released(plan());
    r.until('Progressing');
    r.command('pause');
    r.pass({ revision: 'r2' }, MINUTE);
    expect(r.context).toMatchObject({ lastAppliedRevision: 'r2', paused: false });
    r.until('Succeeded');
  });

  it('resume is refused when nothing is paused', () => {
    const r = released(plan());
    r.command('resume');
    expect(r.context.lastCommand).toMatchObject({ accepted: false });
  });

  it('holds a promotion between shifts', () => {
    const r = released(plan({ stepWeightPromotion: 25 }));
    r.until('Promoting');
    r.command('pause');
    const shifts = weightsSet(r).length;
    r.pass({}, 10 * MINUTE).pass({}, 10 * MINUTE);
    expect(weightsSet(r)).toHaveLength(shifts);
    r.command('resume').until('Succeeded');
  });
});

describe('a command and the world of its pass', () => {
  it('promote --full in the pass that sees a newer revision is refused, and the newer one is released', () => {
    const r = released(plan({ maxWeight: 50 }));
    r.until('Progressing').pass({}, MINUTE);
    r.world.revision = 'r2'; // the target moved on before this pass; the command names r1
    r.command('promote', { full: true, revision: 'r1' });
    expect(r.context.lastCommand?.message).toBe('refused: the target has moved on to revision r2');
    expect(ofType(r.effects, 'promote')).toEqual([]);
    expect(r.context.lastAppliedRevision).toBe('r2');
    r.until('Succeeded');
    expect(r.world.primaryRevision).toBe('r2');
  });

  it('is refused while the Canary is suspended', () => {
    const r = released(plan());
    r.until('Progressing');
    r.world.suspended = true;
    r.command('abort');
    expect(r.context.lastCommand?.message).toMatch(/suspended \(spec\.suspend\)/);
    expect(r.current.phase).toBe('Progressing');
  });
});

describe('approvals', () => {
  it('a promote before the manual gate opens it when reached, without hurrying the steps', () => {
    const r = released(plan(manual(['confirm-promotion'])));
    r.pass({}, 0);
    const due = r.context.nextStepAt;
    const weight = r.context.canaryWeight;
    r.command('promote');
    expect(r.context).toMatchObject({ approved: true, nextStepAt: due, canaryWeight: weight });
  });

  it('is used up only by a manual gate, not by a webhook gate passing first', () => {
    const r = released(
      plan({
        webhooks: ['confirm-traffic-increase', 'confirm-promotion'],
        manualGates: ['confirm-promotion'],
      }),
    );
    r.pass({}, 0);
    r.command('promote');
    r.until('Succeeded', 20);
    expect(r.phases).not.toContain('WaitingPromotion');
  });
});

describe('retry', () => {
  it('is refused when the target went back to the promoted revision after the failure', () => {
    const r = released(plan(), { analysis: ['fail', 'fail'] });
    r.until('Failed');
    r.pass({ revision: 'r0' }, MINUTE);
    expect(r.context.lastAppliedRevision).toBe('r0');
    r.command('retry');
    expect(r.context.lastCommand?.accepted).toBe(false);
    expect(r.current.phase).toBe('Failed');
  });
});

describe('a promotion that was never applied', () => {
  it('releases what the target has when the promote was lost and the target moved on', () => {
    const r = released(plan());
    r.until('Promoting');
    // A crash between the persisted decision and the promote, then a new revision: the primary
    // still runs r0 and the target no longer has r1.
    r.pass({ primaryRevision: 'r0', revision: 'r2' }, 1000);
    expect(r.context.lastAppliedRevision).toBe('r2');
    expect(r.current.phase).not.toBe('Promoting');
    r.until('Succeeded');
    expect(r.world.primaryRevision).toBe('r2');
  });
});
