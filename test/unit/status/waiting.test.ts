import { describe, expect, it } from 'vitest';
import { waitingOf } from '../../../operator/src/status/waiting.ts';

const ready = { primaryReady: true, primaryReason: 'ok', canaryReady: true, canaryReason: 'ok' };
const T = 1_000_000;

describe('waitingOf', () => {
  it.each([
    ['nothing to wait for', 'Progressing', ready, { phaseStartedAt: T, nextStepAt: T }, T, undefined],
    [
      'primary unready before the step is due: not waiting yet',
      'Progressing',
      { ...ready, primaryReady: false },
      { phaseStartedAt: T, nextStepAt: T + 1 },
      T,
      undefined,
    ],
    [
      'primary unready with a step due: paused, says why',
      'Progressing',
      { ...ready, primaryReady: false, primaryReason: 'web-primary: 1 of 2 available' },
      { phaseStartedAt: T - 5000, nextStepAt: T - 1000 },
      T,
      { kind: 'reconciling', reason: 'PrimaryNotReady', overdue: false, overdueAt: T - 1000 + 60_000 },
    ],
    [
      'primary unready past the deadline: stalled',
      'WaitingPromotion',
      { ...ready, primaryReady: false },
      { phaseStartedAt: T - 90_000, nextStepAt: T - 61_000 },
      T,
      { kind: 'stalled', reason: 'PrimaryNotReady', overdue: true, overdueAt: null },
    ],
    [
      'deletion waiting for the target',
      'Terminating',
      { ...ready, canaryReady: false },
      { phaseStartedAt: T - 1000, nextStepAt: null },
      T,
      { kind: 'reconciling', reason: 'TargetNotReady', overdue: false, overdueAt: T - 1000 + 60_000 },
    ],
    [
      'deletion held past the deadline',
      'Terminating',
      { ...ready, canaryReady: false },
      { phaseStartedAt: T - 60_000, nextStepAt: null },
      T,
      { kind: 'stalled', reason: 'TargetNotReady', overdue: true, overdueAt: null },
    ],
    [
      'an unready primary does not matter outside analysis',
      'Succeeded',
      { ...ready, primaryReady: false },
      { phaseStartedAt: T - 90_000, nextStepAt: null },
      T,
      undefined,
    ],
  ] as const)('%s', (_name, phase, readiness, times, now, want) => {
    const got = waitingOf(phase, readiness, times, now, 60);
    if (want === undefined) return expect(got).toBeUndefined();
    expect(got).toMatchObject({
      health: { kind: want.kind, reason: want.reason },
      overdue: want.overdue,
      overdueAt: want.overdueAt,
    });
  });

  it('names the reason in the message', () => {
    const got = waitingOf(
      'Terminating',
      { ...ready, canaryReady: false, canaryReason: 'web: scaled to zero' },
      { phaseStartedAt: 0, nextStepAt: null },
      120_000,
      60,
    );
    expect(got?.health.message).toBe(
      'deletion held until the target can take the traffic back (web: scaled to zero), for more than 60s',
    );
  });
});
