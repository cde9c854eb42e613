// Deep import on purpose: client-node's index loads every generated model (see rest.ts).
import type { KubeConfig } from '@kubernetes/client-node';
import { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { cliVersion } from '../runtime/package-root.ts';

// Who fledge is in the API server's audit log and its request metrics (client-go: binary/version).
const userAgent = `fledge/${cliVersion()} (node ${process.versions.node})`;

/**
 * HTTP to the API server on Node's own http/https modules, authenticated by a KubeConfig.
 *
 * client-node sends through undici, a second HTTP stack with a WASM parser that costs the operator
 * about 20 MB of resident memory (docs/decisions/0009-lean-client.md); Node's http module is part of
 * the runtime. The KubeConfig still decides everything about identity: its
 * applySecurityAuthentication sets the headers (bearer tokens, exec and auth-provider plugins,
 * impersonation) and, for a BoundedKubeConfig, the deadline and the rate limit; the TLS material
 * (CA, client certificate, server name, skip-verify) comes from its applyToHTTPSOptions.
 */

/** A KubeConfig that keeps its own connection pool (BoundedKubeConfig): one Agent per TLS identity. */
export interface PooledKubeConfig {
  connectionAgent(): Promise<http.Agent>;
}

const isPooled = (kc: KubeConfig): kc is KubeConfig & PooledKubeConfig =>
  typeof (kc as Partial<PooledKubeConfig>).connectionAgent === 'function';

/** The TLS options of a KubeConfig's current cluster and user, for an https.Agent. */
export async function tlsOptions(kc: KubeConfig): Promise<https.AgentOptions> {
  const opts: https.RequestOptions = {};
  // Also builds an Agent of client-node's own (never used): the TLS fields are what is wanted.
  await kc.applyToHTTPSOptions(opts);
  const tls: https.AgentOptions = {};
  if (opts.ca !== undefined) tls.ca = opts.ca;
  if (opts.cert !== undefined) tls.cert = opts.cert;
  if (opts.key !== undefined) tls.key = opts.key;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  if (opts.servername !== undefined) tls.servername = opts.servername;
  return tls;
}

/** Keep-alive Agent for one server and TLS identity; HTTP/1.1, so a broken socket fails only its own request. */
export function keepAliveAgent(server: string, tls: https.AgentOptions): http.Agent {
  // keepAliveMsecs: client-go's TCP keep-alive probe interval. timeout: an idle socket is closed
  // after 15 s (the Agent applies it to free sockets only; a watch is never cut by it), well before
  // the API server's or a load balancer's idle timeout could close it under a request reusing it.
  const common = { keepAlive: true, keepAliveMsecs: 30_000, timeout: 15_000 };
  return server.startsWith('https:') ? new https.Agent({ ...common, ...tls }) : new http.Agent(common);
}

// Plain KubeConfigs (tests, tools) get one Agent each, built on first use.
const agents = new WeakMap<KubeConfig, Promise<http.Agent>>();

async function agentFor(kc: KubeConfig, server: string): Promise<http.Agent> {
  if (isPooled(kc)) return kc.connectionAgent();
  let agent = agents.get(kc);
  if (!agent) {
    agent = tlsOptions(kc).then((tls) => keepAliveAgent(server, tls));
    agents.set(kc, agent);
    agent.catch(() => agents.delete(kc));
  }
  return agent;
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. /api/v1/namespaces/x/pods?watch=true */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Sends one request and resolves with the response once its headers arrived, and with when it was
 * sent (performance.now()); the body is the caller's to read. The KubeConfig's signal (a
 * BoundedKubeConfig's deadline, unless `deadline` is false) aborts the request and the reading of
 * its body, and so does `signal` (a watch's own). `onSend` runs as the request goes out, after the
 * rate limiter.
 */
export async function kubeRequest(
  kc: KubeConfig,
  req: KubeRequest,
  opts: { signal?: AbortSignal; deadline?: boolean; onSend?: () => void } = {},
): Promise<{ response: IncomingMessage; sentAt: number }> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(server.replace(/\/$/, '') + req.path);
  const ctx = new RequestContext(url.toString(), HttpMethod[req.method]);
  ctx.setHeaderParam('User-Agent', userAgent);
  for (const [k, v] of Object.entries(req.headers ?? {})) ctx.setHeaderParam(k, v);
  await kc.applySecurityAuthentication(ctx);
  // A watch is one long request: it has its own inactivity timeout instead of the deadline.
  const deadline = opts.deadline === false ? undefined : ctx.getSignal();
  const signals = [deadline, opts.signal].filter((s): s is AbortSignal => s !== undefined);
  const combined = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const agent = await agentFor(kc, server);
  const transport = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...ctx.getHeaders() };
  if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  // After authentication and the rate limiter: what follows is the server's time.
  const sentAt = performance.now();
  opts.onSend?.();
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = transport.request(
      url,
      { method: req.method, headers, agent, ...(combined ? { signal: combined } : {}) },
      resolve,
    );
    request.on('error', reject);
    request.end(req.body);
  });
  return { response, sentAt };
}

/** Reads a response body to the end as text (aborted with the request's signal). */
export async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
