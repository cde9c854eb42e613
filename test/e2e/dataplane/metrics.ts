// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// What the router exports for Prometheus, in its own prom-client Registry (never the global one):
//
//   http_requests_total{namespace, service, deployment, version, code}             counter
//   http_request_duration_seconds_bucket{namespace, service, deployment, version, le}  histogram
//
// `service` is the backend Service the router sent the request to (`<svc>-primary`, `<svc>-canary`,
// or the apex `<svc>`), `deployment` the Deployment whose pods answered (`<app>-primary` or `<app>`,
// i.e. {{ target }} selects the canary), `version` its image tag, `code` the HTTP status. The
// duration is the whole proxied request as the router saw it. Requests the router answers itself
// (no route: 404, no backend: 500/502) are not counted: no backend Service saw them.
//
// With provider nginx it also exports ingress-nginx's names, so fledge's nginx builtin metrics run
// unchanged: nginx_ingress_controller_requests{namespace, ingress, service, status, canary} and
// nginx_ingress_controller_request_duration_seconds_bucket{...same, le}; `ingress` is the main
// Ingress and `canary` the canary upstream (`<ns>-<svc>-canary-<port>`) or "".
//
// With provider gatewayapi it also exports what the two meshes fledge's gatewayapi builtins read
// would export for the same requests: Istio's istio_requests_total{reporter="destination",
// destination_workload_namespace, destination_workload, response_code} and
// istio_request_duration_milliseconds_bucket, and Envoy's cluster stats under Contour's cluster
// names, envoy_cluster_upstream_rq{envoy_cluster_name="<ns>_<svc>_<port>", envoy_response_code} and
// envoy_cluster_upstream_rq_time_bucket (milliseconds).
import { Counter, Histogram, Registry } from 'prom-client';

/** Fine enough around typical demo latencies (10 ms .. 1 s) for a P99 within one bucket. */
export const durationBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5,
  10,
];

export interface RequestRecord {
  namespace: string;
  service: string;
  deployment: string;
  version: string;
  code: number;
  seconds: number;
  /** provider nginx: the main Ingress, and the canary upstream when the canary Ingress took it. */
  ingress?: string;
  canaryUpstream?: string;
  /** provider gatewayapi: the backend Service's port, part of Envoy's cluster name under Contour. */
  servicePort?: number;
}

export interface DataPlaneMetrics {
  registry: Registry;
  record(r: RequestRecord): void;
}

const millisecondBuckets = durationBuckets.map((b) => b * 1000);

/** Which mesh's metrics a gatewayapi data plane exports, so a test can see which set a query read. */
/** Which data plane's own series to export besides http_*: both is istio and contour. */
export type MeshMetrics = 'istio' | 'contour' | 'traefik' | 'linkerd' | 'both' | 'none';

export function createMetrics(options: { nginx?: boolean; mesh?: MeshMetrics } = {}): DataPlaneMetrics {
  const registry = new Registry();
  const labelNames = ['namespace', 'service', 'deployment', 'version'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests proxied by the loopback data plane, by backend Service and status code',
    labelNames: [...labelNames, 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of requests proxied by the loopback data plane, by backend Service',
    labelNames,
    buckets: durationBuckets,
    registers: [registry],
  });
  const nginxLabels = ['namespace', 'ingress', 'service', 'status', 'canary'] as const;
  const nginxRequests = options.nginx
    ? new Counter({
        name: 'nginx_ingress_controller_requests',
        help: 'ingress-nginx style request counter (loopback data plane)',
        labelNames: nginxLabels,
        registers: [registry],
      })
    : undefined;
  const nginxDuration = options.nginx
    ? new Histogram({
        name: 'nginx_ingress_controller_request_duration_seconds',
        help: 'ingress-nginx style request duration (loopback data plane)',
        labelNames: nginxLabels,
        buckets: durationBuckets,
        registers: [registry],
      })
    : undefined;
  const mesh =
    options.mesh === 'traefik'
      ? traefikMetrics(registry)
      : options.mesh === 'linkerd'
        ? linkerdMetrics(registry)
        : options.mesh && options.mesh !== 'none'
          ? meshMetrics(registry, options.mesh)
          : undefined;

  return {
    registry,
    record(r) {
      mesh?.(r);
      const labels = {
        namespace: r.namespace,
        service: r.service,
        deployment: r.deployment,
        version: r.version,
      };
      requests.inc({ ...labels, code: String(r.code) });
      duration.observe(labels, r.seconds);
      if (r.ingress !== undefined) {
        const n = {
          namespace: r.namespace,
          ingress: r.ingress,
          service: r.service,
          status: String(r.code),
          canary: r.canaryUpstream ?? '',
        };
        nginxRequests?.inc(n);
        nginxDuration?.observe(n, r.seconds);
      }
    },
  };
}

/** Istio's and Envoy's (Contour-named) request metrics, recorded for every proxied request. */
function meshMetrics(registry: Registry, which: 'istio' | 'contour' | 'both'): (r: RequestRecord) => void {
  const istioLabels = [
    'reporter',
    'destination_workload_namespace',
    'destination_workload',
    'response_code',
  ] as const;
  const istioRequests = new Counter({
    name: 'istio_requests_total',
    help: 'Istio style request counter (loopback data plane)',
    labelNames: istioLabels,
    registers: [registry],
  });
  const istioDuration = new Histogram({
    name: 'istio_request_duration_milliseconds',
    help: 'Istio style request duration in milliseconds (loopback data plane)',
    labelNames: istioLabels,
    buckets: millisecondBuckets,
    registers: [registry],
  });
  const envoyRequests = new Counter({
    name: 'envoy_cluster_upstream_rq',
    help: 'Envoy style upstream requests per cluster, Contour cluster names (loopback data plane)',
    labelNames: ['envoy_cluster_name', 'envoy_response_code'],
    registers: [registry],
  });
  const envoyTime = new Histogram({
    name: 'envoy_cluster_upstream_rq_time',
    help: 'Envoy style upstream request time in milliseconds (loopback data plane)',
    labelNames: ['envoy_cluster_name'],
    buckets: millisecondBuckets,
    registers: [registry],
  });
  return (r) => {
    const ms = r.seconds * 1000;
    // A request no pod answered has no destination workload: Istio's sidecar never saw it.
    if (which !== 'contour' && r.deployment) {
      const istio = {
        reporter: 'destination',
        destination_workload_namespace: r.namespace,
        destination_workload: r.deployment,
        response_code: String(r.code),
      };
      istioRequests.inc(istio);
      istioDuration.observe(istio, ms);
    }
    if (which === 'istio') return;
    const cluster = `${r.namespace}_${r.service}_${r.servicePort ?? 80}`;
    envoyRequests.inc({ envoy_cluster_name: cluster, envoy_response_code: String(r.code) });
    envoyTime.observe({ envoy_cluster_name: cluster }, ms);
  };
}

/** Traefik's service metrics: a Kubernetes Service behind a TraefikService is <ns>-<svc>-<port>@kubernetescrd. */
function traefikMetrics(registry: Registry): (r: RequestRecord) => void {
  const labelNames = ['service', 'code', 'method', 'protocol'] as const;
  const requests = new Counter({
    name: 'traefik_service_requests_total',
    help: 'Traefik style requests per service (loopback data plane)',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'traefik_service_request_duration_seconds',
    help: 'Traefik style request duration per service in seconds (loopback data plane)',
    labelNames,
    buckets: durationBuckets,
    registers: [registry],
  });
  return (r) => {
    const labels = {
      service: `${r.namespace}-${r.service}-${r.servicePort ?? 80}@kubernetescrd`,
      code: String(r.code),
      method: 'GET',
      protocol: 'http',
    };
    requests.inc(labels);
    duration.observe(labels, r.seconds);
  };
}

/** The Linkerd proxy's inbound response metrics, as each pod's proxy reports what it served. */
function linkerdMetrics(registry: Registry): (r: RequestRecord) => void {
  const labelNames = ['namespace', 'deployment', 'direction', 'classification', 'status_code'] as const;
  const responses = new Counter({
    name: 'response_total',
    help: 'Linkerd proxy style responses (loopback data plane)',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'response_latency_ms',
    help: 'Linkerd proxy style response latency in milliseconds (loopback data plane)',
    labelNames,
    buckets: millisecondBuckets,
    registers: [registry],
  });
  return (r) => {
    // No pod answered: no proxy saw it.
    if (!r.deployment) return;
    const labels = {
      namespace: r.namespace,
      deployment: r.deployment,
      direction: 'inbound',
      classification: r.code >= 500 ? 'failure' : 'success',
      status_code: String(r.code),
    };
    responses.inc(labels);
    latency.observe(labels, r.seconds * 1000);
  };
}
