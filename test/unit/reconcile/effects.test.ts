import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventRecorder } from '../../../operator/src/kube/events.ts';
import { execute, type EffectContext } from '../../../operator/src/reconcile/effects.ts';
import { describeError } from '../../../operator/src/reconcile/status.ts';
import { testCanary } from '../support/canary.ts';
import { scriptedReceiver } from '../support/scripted-receiver.ts';

// The effect executor's webhook handling against a loopback receiver: every accepted field is
// used (retries, muteAlert, event hooks), nothing is silently ignored.
describe('execute: webhooks', () => {
  const { answers, bodies, url } = scriptedReceiver('/hook');
  const recorded: string[] = [];
  const events: EventRecorder = {
    record: async (_o, _t, reason, message) => void recorded.push(`${reason}: ${message}`),
  };
  const ctx = (webhooks: Array<Record<string, unknown>>): EffectContext =>
    ({
      canary: testCanary({ stepWeight: 10, webhooks: webhooks.map((w) => ({ url: url(), ...w })) }),
      events,
      log: pino({ level: 'silent' }),
      now: new Date('2026-12-01T00:00:00Z'),
      phase: 'Progressing',
    }) as unknown as EffectContext; // only the fields webhooks and Events use
  const reset = (script: number[]) => {
    answers.splice(0, answers.length, ...script);
    bodies.length = 0;
    recorded.length = 0;
  };

  it('passes retries on: a flaky gate that answers on its third try opens', async () => {
    reset([503, 503, 200]);
    const out = await execute(
      { type: 'runWebhooks', params: { type: 'confirm-promotion', revision: 'r1' } },
      ctx([{ name: 'gate', type: 'confirm-promotion', retries: 2 }]),
    );
    expect(bodies).toHaveLength(3);
    expect(out.followUp).toMatchObject({ type: 'WEBHOOK_RESULT', webhook: 'confirm-promotion', ok: true });
    expect(out.tell).toBeUndefined();
  });

  it('turns a gate that says no into a warn alert, naming the hook and why', async () => {
    reset([500]);
    const out = await execute(
      { type: 'runWebhooks', params: { type: 'confirm-traffic-increase', revision: 'r1' } },
      ctx([{ name: 'load', type: 'confirm-traffic-increase' }]),
    );
    expect(out.followUp).toMatchObject({ ok: false });
    expect(out.tell).toEqual([
      {
        type: 'sendAlert',
        params: { severity: 'warn', message: 'confirm-traffic-increase webhook load: HTTP 500' },
      },
    ]);
  });

  it('sends no alert for a muted hook', async () => {
    reset([500]);
    const out = await execute(
      { type: 'runWebhooks', params: { type: 'rollout', revision: 'r1' } },
      ctx([{ name: 'quiet', type: 'rollout', muteAlert: true }]),
    );
    expect(out.followUp).toMatchObject({ ok: false });
    expect(out.tell).toBeUndefined();
  });

  it('posts every recorded Event to the event hooks, with the message in the metadata', async () => {
    reset([]);
    await execute(
      {
        type: 'recordEvent',
        params: { type: 'Normal', reason: 'Advanced', message: 'Advance canary weight 20' },
      },
      ctx([
        { name: 'audit', type: 'event', metadata: { team: 'shop' } },
        { name: 'gate', type: 'confirm-promotion' },
      ]),
    );
    expect(recorded).toEqual(['Advanced: Advance canary weight 20']);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      name: 'web',
      namespace: 'shop',
      type: 'event',
      metadata: {
        team: 'shop',
        eventMessage: 'Advance canary weight 20',
        eventType: 'Normal',
        eventReason: 'Advanced',
      },
    });
  });

  it('a post-rollout hook is told, not asked: no answer goes back to the machine', async () => {
    reset([500]);
    const out = await execute(
      { type: 'runWebhooks', params: { type: 'post-rollout', revision: 'r1' } },
      ctx([{ name: 'done', type: 'post-rollout' }]),
    );
    expect(bodies).toHaveLength(1);
    expect(out).toEqual({});
  });
});

describe('describeError', () => {
  it.each([
    [
      'a Status body',
      Object.assign(new Error('HTTP-Code: 409'), { body: '{"message":"the object has been modified"}' }),
      'the object has been modified',
    ],
    [
      'an HTML body from a proxy',
      Object.assign(new Error('HTTP-Code: 502'), { body: '<html>"message" bad gateway' }),
      'HTTP-Code: 502',
    ],
    [
      'a truncated JSON body',
      Object.assign(new Error('HTTP-Code: 500'), { body: '{"message":"trunc' }),
      'HTTP-Code: 500',
    ],
    [
      'causes, outermost first',
      new Error('HTTPRoute shop/web: update failed', { cause: new Error('connect ECONNREFUSED') }),
      'HTTPRoute shop/web: update failed: connect ECONNREFUSED',
    ],
    ['not an Error', 'boom', 'boom'],
  ])('%s', (_name, err, want) => {
    expect(describeError(err)).toBe(want);
  });
});
