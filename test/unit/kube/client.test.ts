import { RequestContext, HttpMethod } from '@kubernetes/client-node/dist/gen/http/http.js';
import { describe, expect, it } from 'vitest';
import type { Agent } from 'node:https';
import { BoundedKubeConfig, refuseProxy } from '../../../operator/src/kube/client.ts';

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

describe('BoundedKubeConfig', () => {
  // The start-up burst (every informer lists at once) once built one Agent per request and closed
  // the one handed to the previous request: those requests failed "The client is destroyed".
  it('hands concurrent first requests one shared keep-alive Agent, also to views of it', async () => {
    const kc = bounded();
    const agents = await Promise.all(Array.from({ length: 8 }, () => kc.connectionAgent()));
    expect(new Set(agents).size).toBe(1);
    const agent = agents[0] as Agent & { keepAlive?: boolean; options: { rejectUnauthorized?: boolean } };
    expect(agent.keepAlive).toBe(true);
    // skipTLSVerify reaches the Agent's TLS options.
    expect(agent.options.rejectUnauthorized).toBe(false);
    // A view made with Object.create (metadataOnly) shares the pool rather than building its own.
    const view = Object.create(kc) as BoundedKubeConfig;
    expect(await view.connectionAgent()).toBe(agent);
    expect(await kc.connectionAgent()).toBe(agent);
  });

  it('builds a new Agent when the TLS identity changes (a rotated client certificate)', async () => {
    const kc = bounded();
    const first = await kc.connectionAgent();
    // client-node's User is declared readonly; a kubeconfig reloaded in place changes it all the same.
    (kc.getCurrentUser() as { certData?: string }).certData = Buffer.from('rotated').toString('base64');
    expect(await kc.connectionAgent()).not.toBe(first);
  });

  it('gives every request a deadline signal', async () => {
    const kc = bounded();
    const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/pods', HttpMethod.GET);
    await kc.applySecurityAuthentication(ctx);
    expect(ctx.getSignal()?.aborted).toBe(false);
  });

  it('refuses a kubeconfig that asks for a proxy instead of bypassing it', () => {
    const kc = bounded();
    expect(() => refuseProxy(kc)).not.toThrow();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', proxyUrl: 'http://127.0.0.1:3128' }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    expect(() => refuseProxy(kc)).toThrow(
      /kubeconfig cluster c sets proxy-url, which the operator does not support/,
    );
  });
});
