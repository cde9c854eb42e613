import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../operator/src/machine/index.ts';
import {
  appliedDecision,
  changedFields,
  firstWrite,
  planDecision,
} from '../../../operator/src/reconcile/persist-plan.ts';

const weights: Effect = { type: 'setWeights', params: { primary: 50, canary: 50 } };
const event: Effect = {
  type: 'recordEvent',
  params: { type: 'Normal', reason: 'Initialized', message: 'm' },
} as Effect;
const alert: Effect = { type: 'sendAlert', params: { severity: 'info', message: 'm' } };
const outbox = [weights, event, alert];
const persisted = { decision: { seq: 4, effects: outbox as never, delivered: [] }, effects: outbox };

describe('planDecision', () => {
  it('a new snapshot is a new decision with seq + 1 and nothing delivered', () => {
    expect(
      planDecision({ before: { a: 1 }, after: { a: 2 }, outbox, persisted, seq: 4, claimed: [1, 2] }),
    ).toEqual({
      changed: true,
      decision: { seq: 5, effects: outbox, delivered: [] },
    });
  });

  it('an unchanged pass keeps the decision with the alert claims made while replaying it, not the Events', () => {
    expect(
      planDecision({ before: { a: 1 }, after: { a: 1 }, outbox: [], persisted, seq: 4, claimed: [1, 2] }),
    ).toEqual({
      changed: false,
      decision: { seq: 4, effects: outbox, delivered: [2] },
    });
  });

  it('nothing to keep when nothing was persisted and nothing changed', () => {
    const plan = planDecision({
      before: undefined,
      after: undefined,
      outbox: [],
      persisted: undefined,
      seq: 0,
      claimed: [],
    });
    expect(plan).toEqual({ changed: false, decision: undefined });
  });
});

describe('appliedDecision', () => {
  it('marks only alerts and hooks', () => {
    expect(appliedDecision(5, outbox, [0, 1, 2, 2])).toEqual({ seq: 5, effects: outbox, delivered: [2] });
  });
});

describe('firstWrite', () => {
  const now = new Date('2026-12-02T00:00:00Z');
  const args = { changed: true, outbox, conditions: [], generation: 3, now };

  it('a new Ready decision with objects to change is written as Applying first', () => {
    const { applying, status } = firstWrite<{ message: string; conditions?: unknown }>(
      { message: 'done' },
      { ...args, phase: 'Succeeded' },
    );
    expect(applying).toBe(true);
    expect(status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Ready',
        status: 'False',
        reason: 'Applying',
        message: 'applying: done',
      }),
    );
  });

  it('is written as is when not Ready, unchanged, or with only one-shot effects', () => {
    for (const over of [
      { phase: 'Progressing' as const },
      { phase: 'Succeeded' as const, changed: false },
      { phase: 'Succeeded' as const, outbox: [event, alert] },
    ]) {
      const s = { message: 'x' };
      expect(firstWrite(s, { ...args, ...over })).toEqual({ applying: false, status: s });
    }
  });
});

describe('changedFields', () => {
  it('names the top-level fields that differ', () => {
    expect(changedFields({ a: 1, b: { c: 2 }, d: 1 }, { a: 1, b: { c: 3 }, e: 1 })).toEqual(['b', 'd', 'e']);
  });
});
