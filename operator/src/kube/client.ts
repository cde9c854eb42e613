import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';
import { keepAliveAgent, tlsOptions, type PooledKubeConfig } from './http.ts';
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
 * client-node 2.x gives API calls no timeout (undici's 300 s header timeout is all there is), so
 * a hung API server connection would park a reconcile pass, a lease renew or an informer's LIST for
 * five minutes; and it builds a new Agent for every request, so no connection is reused. fledge
 * sends through kube/http.ts instead, with one keep-alive Agent per TLS identity from here.
 * Watches are not cut by the deadline: kube/watch.ts has its own inactivity timeout.
 *
 * The Agent speaks HTTP/1.1. On one multiplexed HTTP/2 session a single broken connection takes
 * every watch and request down at once (a fault test once saw undici hand requests to a destroyed
 * session for good: an operator deaf until restarted); with HTTP/1.1 a broken socket fails its
 * own request and the next one opens a new socket.
 */
export class BoundedKubeConfig extends KubeConfig implements PooledKubeConfig {
  readonly timeoutMs: number;
  // An object, so views made with Object.create (metadataOnly) share one pool with this config.
  // A promise, so the burst of requests at start-up (every informer's LIST at once) awaits one
  // Agent instead of each building its own.
  private readonly pool: { key?: string; agent?: Promise<Agent> } = {};

  /** QPS and burst of API requests; starting a watch takes a token too, as in client-go. */
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
    // The headers (tokens, exec plugins, impersonation); the dispatcher it also sets is not used.
    await super.applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(this.timeoutMs));
  }

  /** The keep-alive Agent of the current server and TLS identity (a rotated certificate gets a new one). */
  async connectionAgent(): Promise<Agent> {
    const user = this.getCurrentUser();
    const cluster = this.getCurrentCluster();
    const key = createHash('sha256')
      .update(JSON.stringify([cluster?.server, cluster?.caData, cluster?.caFile, cluster?.skipTLSVerify]))
      .update(
        JSON.stringify([
          cluster?.tlsServerName,
          user?.certData,
          user?.certFile,
          user?.keyData,
          user?.keyFile,
        ]),
      )
      .digest('hex');
    if (this.pool.key !== key || !this.pool.agent) {
      const previous = this.pool.agent;
      const server = cluster?.server ?? '';
      const agent = tlsOptions(this).then((tls) => keepAliveAgent(server, tls));
      this.pool.key = key;
      this.pool.agent = agent;
      // A failed build (an unreadable certificate file) is not kept: the next request tries again.
      agent.catch(() => {
        if (this.pool.agent === agent) this.pool.agent = undefined;
      });
      // Requests already handed the old Agent finish on it; by the deadline every one has. Its
      // watches are cut then too: their informers restart (an error, a backoff) on the new one.
      if (previous) {
        setTimeout(() => void previous.then((a) => a.destroy()).catch(() => {}), this.timeoutMs).unref();
      }
    }
    return this.pool.agent;
  }
}

/** The KubeConfig of the environment (in-cluster, KUBECONFIG or ~/.kube/config), bounded. */
export function loadKubeConfig(timeoutMs: number, rate?: ClientRate): KubeConfig {
  const kc = new BoundedKubeConfig(timeoutMs, rate);
  kc.loadFromDefault();
  refuseProxy(kc);
  return kc;
}

/**
 * The operator's transport (kube/http.ts) connects to the server directly; a kubeconfig that asks
 * for a proxy is refused at start rather than bypassed.
 */
export function refuseProxy(kc: KubeConfig): void {
  const cluster = kc.getCurrentCluster();
  if (cluster?.proxyUrl) {
    throw new Error(
      `kubeconfig cluster ${cluster.name} sets proxy-url, which the operator does not support: ` +
        'run it where it reaches the API server directly (in the cluster, as the chart does)',
    );
  }
}
