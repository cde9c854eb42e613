import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { callWebhook, callWebhooks } from '../../../analysis/src/webhooks.ts';
import { scriptedReceiver } from '../support/scripted-receiver.ts';

// A loopback hook that answers from a script: each request takes the next status.
describe('webhooks', () => {
  const { answers, bodies, url: receiverUrl } = scriptedReceiver('/hook');
  const payload = {
    name: 'web',
    namespace: 'shop',
    phase: 'Progressing',
    checksum: 'abc',
    type: 'confirm-promotion',
  };

  it.each([
    ['a 2xx is a yes', [200], 0, true, 1],
    ['a 5xx is a no', [503], 0, false, 1],
    ['retries turn a flaky hook into a yes', [503, 500, 200], 2, true, 3],
    ['retries are bounded', [503, 503, 503], 1, false, 2],
  ] as const)('%s', async (_name, script, retries, ok, calls) => {
    answers.splice(0, answers.length, ...script);
    bodies.length = 0;
    const outcome = await callWebhook(
      { name: 'gate', url: receiverUrl(), timeoutMs: 2000, retries, metadata: { k: 'v' } },
      payload,
    );
    expect(outcome.ok).toBe(ok);
    expect(bodies).toHaveLength(calls);
    expect(bodies[0]).toEqual({ ...payload, metadata: { k: 'v' } });
  });

  it('fails closed when the hook is unreachable, and says why', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const outcome = await callWebhook(
      { name: 'gone', url: `http://127.0.0.1:${port}/hook`, timeoutMs: 500 },
      payload,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toBe('gone: call failed: ECONNREFUSED');
  });

  it('is ok only when every hook of the type says yes', async () => {
    answers.splice(0, answers.length, 200, 500);
    const { ok, outcomes } = await callWebhooks(
      [
        { name: 'a', url: receiverUrl(), timeoutMs: 2000 },
        { name: 'b', url: receiverUrl(), timeoutMs: 2000 },
      ],
      payload,
    );
    expect(ok).toBe(false);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
  });
});
