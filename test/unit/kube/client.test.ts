import { RequestContext, HttpMethod } from '@kubernetes/client-node/dist/gen/http/http.js';
import { describe, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../../operator/src/kube/client.ts';

function bounded(): BoundedKubeConfig {
  const kc = new BoundedKubeConfig(5_000);
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function dispatcherOf(kc: BoundedKubeConfig): Promise<unknown> {
  const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/pods', HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx.getDispatcher();
}

describe('BoundedKubeConfig', () => {
  // The start-up burst (every informer lists at once) used to build one Agent per request and
  // close the one handed to the previous request: those requests failed "The client is destroyed".
  it('hands concurrent first requests one shared Agent that none of them finds closed', async () => {
    const kc = bounded();
    const dispatchers = await Promise.all(Array.from({ length: 8 }, () => dispatcherOf(kc)));
    expect(new Set(dispatchers).size).toBe(1);
    const agent = dispatchers[0] as { closed: boolean; destroyed: boolean };
    expect(agent.closed).toBe(false);
    expect(agent.destroyed).toBe(false);
    expect(await dispatcherOf(kc)).toBe(agent);
  });

  it('gives every request a deadline signal', async () => {
    const kc = bounded();
    const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/pods', HttpMethod.GET);
    await kc.applySecurityAuthentication(ctx);
    expect(ctx.getSignal()?.aborted).toBe(false);
  });
});
