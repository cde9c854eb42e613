// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// The stand-in for the ingress controller / mesh: an HTTP proxy on 127.0.0.1 that follows the
// routing object fledge writes on the real API server (the HTTPRoute `<service>`, with provider
// istio the VirtualService `<service>`, with contour the HTTPProxy `<service>`, with traefik the
// TraefikService `<service>`, with nginx the canary Ingress `<ingress>-canary`), sends each request to the backend Service the
// current rules pick (gatewayapi-routing.ts, nginx-routing.ts, weighted.ts), and records per-backend
// metrics (metrics.ts) served on a separate 127.0.0.1 port. Backends are loopback URLs, one per
// Service name; answers carry `x-fledge-backend: <service>`.
import { CustomObjectsApi, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { deploymentHeader, versionHeader } from './backends.ts';
import { contourPolicy, type HTTPProxyLike } from './contour-routing.ts';
import { gatewayPolicy, type HTTPRouteLike } from './gatewayapi-routing.ts';
import { istioPolicy, type VirtualServiceLike } from './istio-routing.ts';
import { traefikPolicy, type TraefikServiceLike } from './traefik-routing.ts';
import { closeServer, listenLoopback, loopback, loopbackUrl } from './loopback.ts';
import { createMetrics, type MeshMetrics } from './metrics.ts';
import { serveMetrics } from './metrics-server.ts';
import { nginxPolicy, type IngressLike } from './nginx-routing.ts';
import { editHeaders, requestInfo, type RoutingPolicy } from './routing.ts';
import { watchObject, whenSynced, type ListResult, type ObjectWatch } from './watch-object.ts';
import { createPicker, type Picker, type SplitMode } from './weighted.ts';

export const backendHeader = 'x-fledge-backend';
export type RouteProvider = 'gatewayapi' | 'istio' | 'contour' | 'traefik' | 'nginx';

export interface RouterOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Canary's service name: the apex Service, and the HTTPRoute's name. */
  service: string;
  /** Backend Service name -> http://127.0.0.1:<port>. */
  backends: Record<string, string>;
  /** Default gatewayapi (HTTPRoute, gateway.networking.k8s.io/v1 unless gatewayApiVersion says v1beta1). */
  provider?: RouteProvider;
  gatewayApiVersion?: 'v1' | 'v1beta1';
  /** provider nginx: the main Ingress; the router follows `<ingress>-canary`. */
  ingress?: string;
  /** Default random (see weighted.ts). */
  split?: SplitMode;
  /** provider gatewayapi: the mesh metrics exported besides http_* (default both). */
  meshMetrics?: MeshMetrics;
}

/** How requests were routed since the routing object last changed. */
export interface ObservedSplit {
  source: string;
  weights: Array<Record<string, number>>;
  /** Epoch ms when this routing took effect. */
  since: number;
  /** Requests routed to a backend Service, by Service. */
  byService: Record<string, number>;
  /** Copies sent by RequestMirror, by Service. */
  mirrored: Record<string, number>;
  /** Requests the router answered itself (no route 404, no backend 500), by status. */
  unrouted: Record<string, number>;
  total: number;
}

export interface Router {
  url: string;
  metricsUrl: string;
  /** 127.0.0.1:<port> for a Prometheus scrape config. */
  metricsTarget: string;
  observedSplit(): ObservedSplit;
  stop(): Promise<void>;
}

const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];
function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of hopByHop) delete out[h];
  return out;
}
function one(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function follow(o: RouterOptions, onChange: (policy: RoutingPolicy) => void): ObjectWatch<object> {
  const picker = () => createPicker(o.split ?? 'random');
  const serves = (s: string) => Object.hasOwn(o.backends, s);
  if ((o.provider ?? 'gatewayapi') === 'nginx') {
    if (!o.ingress) throw new Error('provider nginx needs the main Ingress name (ingress)');
    const name = `${o.ingress}-canary`;
    const api = o.kubeConfig.makeApiClient(NetworkingV1Api);
    const opts = { namespace: o.namespace, name, mainService: o.service };
    return watchObject<IngressLike>({
      kubeConfig: o.kubeConfig,
      path: `/apis/networking.k8s.io/v1/namespaces/${o.namespace}/ingresses`,
      name,
      list: (fieldSelector) => api.listNamespacedIngress({ namespace: o.namespace, fieldSelector }),
      onChange: (ing) => onChange(nginxPolicy(ing, { ...opts, picker: picker() })),
    });
  }
  // Every other provider's routing object is a custom resource named like the Service.
  const api = o.kubeConfig.makeApiClient(CustomObjectsApi);
  const opts = { namespace: o.namespace, name: o.service, serves };
  const custom = <T extends object>(
    group: string,
    version: string,
    plural: string,
    policy: (obj: T | undefined, po: typeof opts & { picker: Picker }) => RoutingPolicy,
  ) =>
    watchObject<T>({
      kubeConfig: o.kubeConfig,
      path: `/apis/${group}/${version}/namespaces/${o.namespace}/${plural}`,
      name: o.service,
      list: async (fieldSelector) =>
        (await api.listNamespacedCustomObject({
          group,
          version,
          namespace: o.namespace,
          plural,
          fieldSelector,
        })) as ListResult<T>,
      onChange: (obj) => onChange(policy(obj, { ...opts, picker: picker() })),
    });
  switch (o.provider) {
    case 'istio':
      return custom<VirtualServiceLike>('networking.istio.io', 'v1', 'virtualservices', istioPolicy);
    case 'contour':
      return custom<HTTPProxyLike>('projectcontour.io', 'v1', 'httpproxies', contourPolicy);
    case 'traefik':
      return custom<TraefikServiceLike>('traefik.io', 'v1alpha1', 'traefikservices', traefikPolicy);
    default:
      return custom<HTTPRouteLike>(
        'gateway.networking.k8s.io',
        o.gatewayApiVersion ?? 'v1',
        'httproutes',
        gatewayPolicy,
      );
  }
}

function emptySplit(policy: RoutingPolicy): ObservedSplit {
  return {
    source: policy.source,
    weights: policy.weights,
    since: Date.now(),
    byService: {},
    mirrored: {},
    unrouted: {},
    total: 0,
  };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export async function startRouter(o: RouterOptions): Promise<Router> {
  const upstreams = new Map(Object.entries(o.backends).map(([s, u]) => [s, loopbackUrl(u)]));
  const nginx = (o.provider ?? 'gatewayapi') === 'nginx';
  const metrics = createMetrics({ nginx, mesh: nginx ? 'none' : (o.meshMetrics ?? 'both') });
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  let policy: RoutingPolicy = {
    source: 'not read yet',
    weights: [],
    decide: () => ({ status: 503, reason: 'routing not read yet' }),
  };
  let split = emptySplit(policy);
  const watch = follow(o, (next) => {
    policy = next;
    split = emptySplit(next);
  });

  const forward = (
    req: IncomingMessage,
    service: string,
    started: number,
    onAnswer: (upstream: IncomingMessage) => void,
    onError: () => void,
    canaryUpstream?: string,
  ) => {
    const record = (code: number, headers: IncomingHttpHeaders) =>
      metrics.record({
        namespace: o.namespace,
        service,
        deployment: one(headers[deploymentHeader]),
        version: one(headers[versionHeader]),
        code,
        seconds: (performance.now() - started) / 1000,
        ...(nginx ? { ingress: o.ingress ?? '', ...(canaryUpstream ? { canaryUpstream } : {}) } : {}),
      });
    const failed = () => (record(502, {}), onError());
    const target = upstreams.get(service);
    if (!target) return failed();
    const up = request(
      {
        host: loopback,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
        agent,
      },
      (answer) => {
        answer.once('end', () => record(answer.statusCode ?? 0, answer.headers));
        onAnswer(answer);
      },
    );
    up.once('error', failed);
    req.pipe(up);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const decision = policy.decide(requestInfo(req.method, req.url, req.headers));
    const tally = split;
    tally.total += 1;
    if ('status' in decision) {
      bump(tally.unrouted, String(decision.status));
      req.resume();
      res.writeHead(decision.status, { 'content-type': 'text/plain' }).end(`${decision.reason}\n`);
      return;
    }
    bump(tally.byService, decision.service);
    for (const mirror of decision.mirrors) {
      bump(tally.mirrored, mirror);
      forward(
        req,
        mirror,
        started,
        (answer) => answer.resume(),
        () => {},
      );
    }
    forward(
      req,
      decision.service,
      started,
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, {
          ...editHeaders(endToEnd(answer.headers), decision.responseHeaders ?? []),
          [backendHeader]: decision.service,
        });
        answer.pipe(res);
      },
      () => {
        if (!res.headersSent) res.writeHead(502, { [backendHeader]: decision.service }).end('bad gateway\n');
      },
      decision.canaryUpstream,
    );
  });
  server.keepAliveTimeout = 30_000;

  try {
    await whenSynced(
      watch,
      nginx
        ? `Ingress ${o.namespace}/${o.ingress}-canary`
        : o.provider === 'istio'
          ? `VirtualService ${o.namespace}/${o.service}`
          : o.provider === 'contour'
            ? `HTTPProxy ${o.namespace}/${o.service}`
            : o.provider === 'traefik'
              ? `TraefikService ${o.namespace}/${o.service}`
              : `HTTPRoute ${o.namespace}/${o.service}`,
    );
  } catch (err) {
    await watch.stop();
    throw err;
  }
  const port = await listenLoopback(server);
  const metricsServer = await serveMetrics(metrics.registry);
  return {
    url: `http://${loopback}:${port}`,
    metricsUrl: metricsServer.url,
    metricsTarget: metricsServer.target,
    observedSplit: () => structuredClone(split),
    stop: async () => {
      await watch.stop();
      await Promise.all([closeServer(server), metricsServer.stop()]);
      agent.destroy();
    },
  };
}
