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
}

export interface DataPlaneMetrics {
  registry: Registry;
  record(r: RequestRecord): void;
}

export function createMetrics(options: { nginx?: boolean } = {}): DataPlaneMetrics {
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

  return {
    registry,
    record(r) {
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
