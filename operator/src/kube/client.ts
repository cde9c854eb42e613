import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { Agent, type Dispatcher } from 'undici';
import { TokenBucket } from './rate-limit.ts';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** Client-side QPS and burst of API requests, and how long each request waited for them. */
export interface ClientRate {
  qps: number;
  burst: number;
  onWait?: (seconds: number) => void;
  /** Every request sent through kube/rest.ts: its HTTP method and how long the server took. */
  onRequest?: (method: string, seconds: number) => void;
}

/**
 * A KubeConfig whose every API request has a deadline and whose requests share connections.
 *
 * client-node 2.x gives generated API calls no timeout (undici's 300 s header timeout is all
 * there is), so a hung API server connection parks a reconcile pass, a lease renew or an
 * informer's LIST for five minutes. And it builds a new undici Agent for every request, so no
 * connection is ever reused: each call pays a TCP and TLS handshake and leaves a socket behind.
 * Watches are not cut by the deadline: client-node's Watch passes its own abort signal (with its
 * own inactivity timeout) to fetch and never reads the context's; they do share the connections.
 *
 * The shared Agent speaks HTTP/1.1 (undici 8 negotiates HTTP/2 by default). On one multiplexed
 * HTTP/2 session a single broken connection takes every watch and request down at once, and in
 * a fault test (a connection that lost bytes) undici kept handing requests to the destroyed
 * session for good ("The session has been destroyed"): an operator deaf until restarted. With
 * HTTP/1.1 a broken socket fails its own request and the next one opens a new socket.
 */
export class BoundedKubeConfig extends KubeConfig {
  readonly timeoutMs: number;
  // A promise, so the burst of requests at start-up (every informer's LIST at once) awaits one
  // Agent instead of each building its own and closing the one the previous request was handed.
  private shared: { key: string; dispatcher: Promise<Dispatcher> } | undefined;

  /** QPS and burst of API requests (watches are not counted: one long request each). */
  private readonly limiter: TokenBucket | undefined;
  private readonly onThrottle: (seconds: number) => void;
  /** Called by KubeRest after each request (a view made with Object.create shares it). */
  readonly observeRequest: (method: string, seconds: number) => void;

  constructor(timeoutMs: number, rate?: ClientRate) {
    super();
    this.timeoutMs = timeoutMs;
    this.limiter = rate && rate.qps > 0 ? new TokenBucket(rate.qps, Math.max(1, rate.burst)) : undefined;
    this.onThrottle = rate?.onWait ?? (() => {});
    this.observeRequest = rate?.onRequest ?? (() => {});
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    // Waiting for a token comes before the deadline starts: the deadline is the server's to meet.
    if (this.limiter) {
      const asked = performance.now();
      await this.limiter.take();
      this.onThrottle((performance.now() - asked) / 1000);
    }
    await super.applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(this.timeoutMs));
    // client-node made a fresh Agent for this request (no socket opened yet); plain HTTP makes none.
    if (!context.getDispatcher()) return;
    const user = this.getCurrentUser();
    const cluster = this.getCurrentCluster();
    // One Agent per TLS identity: a rotated client certificate (or another context) gets its own.
    const key = createHash('sha256')
      .update(JSON.stringify([cluster?.server, cluster?.caData, cluster?.caFile, cluster?.skipTLSVerify]))
      .update(JSON.stringify([user?.certData, user?.certFile, user?.keyData, user?.keyFile]))
      .digest('hex');
    if (this.shared?.key !== key) {
      const previous = this.shared?.dispatcher;
      const dispatcher = this.agent();
      this.shared = { key, dispatcher };
      // A failed build (an unreadable certificate file) is not kept: the next request tries again.
      dispatcher.catch(() => {
        if (this.shared?.dispatcher === dispatcher) this.shared = undefined;
      });
      // Requests already handed the old Agent finish on it; by the deadline every one has.
      if (previous) {
        setTimeout(() => void previous.then((d) => d.close()).catch(() => {}), this.timeoutMs).unref();
      }
    }
    const dispatcher = await this.shared.dispatcher;
    context.setDispatcher(dispatcher as Parameters<RequestContext['setDispatcher']>[0]);
  }

  private async agent(): Promise<Dispatcher> {
    const tls: RequestOptions = {};
    await this.applyToHTTPSOptions(tls);
    return new Agent({
      allowH2: false,
      connect: {
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
        ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
        ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
        keepAlive: true,
        keepAliveInitialDelay: 30_000,
      },
    });
  }
}

/** The KubeConfig of the environment (in-cluster, KUBECONFIG or ~/.kube/config), bounded. */
export function loadKubeConfig(timeoutMs: number, rate?: ClientRate): KubeConfig {
  const kc = new BoundedKubeConfig(timeoutMs, rate);
  kc.loadFromDefault();
  return kc;
}
