import { BUILTIN_METRICS, type BuiltinMetric } from '../../operator/src/api/metric.ts';
import type { TrafficProvider } from '../../operator/src/api/provider.ts';
import { ConfigError } from './errors.ts';

// Flagger's two builtin checks, as query templates rendered by render.ts. Each query set reads one
// data plane's own metric names; a provider picks the set its data plane exports (see
// docs/analysis.md "Builtin metrics").

// The names live with the API (admission checks which metrics are builtins); the queries here.
export const builtinMetricNames = BUILTIN_METRICS;
export type BuiltinMetricName = BuiltinMetric;

/**
 * The query sets a gatewayapi Canary's builtins can read. Gateway API defines routing, not
 * telemetry, so the implementation decides the metric names: `istio` (Flagger's choice for
 * gatewayapi, and the default), `contour` (Envoy's cluster stats with Contour's cluster names) or
 * `linkerd` (the Linkerd proxy's own metrics, for Linkerd's Gateway API routes).
 */
export const GATEWAY_API_METRICS = ['istio', 'contour', 'linkerd'] as const;
export type GatewayApiMetrics = (typeof GATEWAY_API_METRICS)[number];

type QuerySet = Readonly<Record<BuiltinMetricName, string>>;

/** Percentage (0-100) of requests not answered with a 5xx, from a request counter. */
const successRate = (counter: string, selector: string, statusLabel: string) =>
  `sum(rate(${counter}{${selector}, ${statusLabel}!~"5.*"}[{{ interval }}]))
/
sum(rate(${counter}{${selector}}[{{ interval }}]))
* 100`;

/** P99 of a histogram in milliseconds; `toMs` scales a histogram kept in seconds. */
const p99 = (buckets: string, selector: string, toMs: boolean) =>
  `histogram_quantile(0.99,
  sum by (le) (rate(${buckets}{${selector}}[{{ interval }}]))
)${toMs ? '\n* 1000' : ''}`;

// ingress-nginx labels every request with the namespace and name of the Ingress that matched it;
// canary traffic is counted under the main Ingress (with a non-empty `canary` label), so these
// measure all traffic through the Ingress, primary and canary, like Flagger's nginx builtins.
// `status` is "503" or, when the controller reports status classes, "5xx": both match. The
// duration is the P99 of the whole request time: Flagger's nginx builtin divides the deprecated
// upstream-latency summary's sum by its count (a mean), while its documented meaning is P99 and
// the request-duration histogram is what current ingress-nginx exports.
const ingress = 'namespace="{{ namespace }}", ingress="{{ ingress }}"';
const nginx: QuerySet = {
  'request-success-rate': successRate('nginx_ingress_controller_requests', ingress, 'status'),
  'request-duration': p99('nginx_ingress_controller_request_duration_seconds_bucket', ingress, true),
};

// Flagger's kubernetes (blue/green) builtins read the application's own
// http_request_duration_seconds histogram, with the pod labels that Flagger's bundled Prometheus
// adds when scraping (kubernetes_namespace, kubernetes_pod_name). The pod regex matches the canary's
// pods (<target>-<hash>-<id>) and not the primary's (<target>-primary-<hash>-<id>).
// A DaemonSet's pods are <target>-<5 characters>, with no ReplicaSet hash: the same anchored
// regex tells them from the primary's (<target>-primary-<id>).
const podNames: Readonly<Record<TargetKind, string>> = {
  Deployment: '{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)',
  DaemonSet: '{{ target }}-[0-9a-z]{5}',
};
const app = (kind: TargetKind): QuerySet => {
  const pods = `kubernetes_namespace="{{ namespace }}", kubernetes_pod_name=~"${podNames[kind]}"`;
  return {
    'request-success-rate': successRate('http_request_duration_seconds_count', pods, 'status'),
    'request-duration': p99('http_request_duration_seconds_bucket', pods, true),
  };
};

// Istio's standard metrics as the canary's own sidecars report them (reporter="destination"):
// destination_workload is the Deployment that answered, so `{{ target }}` is the canary alone, not
// `<target>-primary`. Equality, not Flagger's regex match: a Deployment name may contain a dot.
// Istio's histogram is in milliseconds already.
const workload =
  'reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload="{{ target }}"';
const istio: QuerySet = {
  'request-success-rate': successRate('istio_requests_total', workload, 'response_code'),
  'request-duration': p99('istio_request_duration_milliseconds_bucket', workload, false),
};

// Envoy's upstream cluster stats under Contour, which names a cluster <namespace>_<service>_<port>:
// the canary Service fledge generates is <service>-canary. Namespace and Service names cannot hold
// an underscore, so the pattern cannot reach another Service's cluster. Envoy's upstream request
// time is in milliseconds already.
const cluster = 'envoy_cluster_name=~"{{ namespace }}_{{ service }}-canary_[0-9]+"';
const contour: QuerySet = {
  'request-success-rate': successRate('envoy_cluster_upstream_rq', cluster, 'envoy_response_code'),
  'request-duration': p99('envoy_cluster_upstream_rq_time_bucket', cluster, false),
};

// Traefik's service metrics name a Kubernetes Service of a TraefikService
// <namespace>-<service>-<port>@kubernetescrd; the canary Service fledge generates is <service>-canary.
// The histogram is in seconds.
const traefikService = 'service=~"{{ namespace }}-{{ service }}-canary-[0-9]+@kubernetescrd"';
const traefik: QuerySet = {
  'request-success-rate': successRate('traefik_service_requests_total', traefikService, 'code'),
  'request-duration': p99('traefik_service_request_duration_seconds_bucket', traefikService, true),
};

// The Linkerd proxy beside each pod reports what it served (direction="inbound") by Deployment, and
// classifies each response: a 5xx or a gRPC error is "failure". As Flagger's Linkerd builtins,
// with equality on the Deployment. The latency histogram is in milliseconds.
// The proxy labels a DaemonSet's pods daemonset="<name>" instead of deployment="<name>".
const linkerd = (kind: TargetKind): QuerySet => {
  const workload = kind === 'DaemonSet' ? 'daemonset' : 'deployment';
  const proxy = `namespace="{{ namespace }}", ${workload}="{{ target }}", direction="inbound"`;
  return {
    'request-success-rate': `sum(rate(response_total{${proxy}, classification!="failure"}[{{ interval }}]))
/
sum(rate(response_total{${proxy}}[{{ interval }}]))
* 100`,
    'request-duration': p99('response_latency_ms_bucket', proxy, false),
  };
};

const gatewayApi = (kind: TargetKind): Readonly<Record<GatewayApiMetrics, QuerySet>> => ({
  istio,
  contour,
  linkerd: linkerd(kind),
});

/** The target's kind: pod names and the proxy's workload label differ between them. */
export type TargetKind = 'Deployment' | 'DaemonSet';

export interface BuiltinOptions {
  /** The query set of gatewayapi Canaries (the operator's --gateway-api-metrics); default istio. */
  gatewayApiMetrics?: GatewayApiMetrics | undefined;
  /** Default Deployment. */
  targetKind?: TargetKind | undefined;
}

/** The query template of a builtin metric for a traffic provider. */
export function builtinQuery(
  metric: BuiltinMetricName,
  provider: TrafficProvider,
  options: BuiltinOptions = {},
): string {
  const kind = options.targetKind ?? 'Deployment';
  switch (provider) {
    case 'nginx':
      return nginx[metric];
    case 'kubernetes':
      return app(kind)[metric];
    case 'istio':
      return istio[metric];
    case 'contour':
      return contour[metric];
    case 'traefik':
      return traefik[metric];
    case 'gatewayapi':
      return gatewayApi(kind)[options.gatewayApiMetrics ?? 'istio'][metric];
    default: {
      const unknown: never = provider;
      throw new ConfigError(`unknown traffic provider "${String(unknown)}"`);
    }
  }
}

export { isBuiltinMetric } from '../../operator/src/api/metric.ts';
