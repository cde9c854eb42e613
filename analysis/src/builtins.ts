import { BUILTIN_METRICS, type BuiltinMetric } from '../../operator/src/api/metric.ts';
import type { TrafficProvider } from '../../operator/src/api/provider.ts';
import { ConfigError } from './errors.ts';

// Flagger's two builtin checks, as query templates rendered by render.ts. A builtin exists only
// where the data plane exports a well-known metric for it; elsewhere it is refused (see
// docs/analysis.md "Builtin metrics").

// The names live with the API (admission refuses a builtin where none exists); the queries here.
export const builtinMetricNames = BUILTIN_METRICS;
export type BuiltinMetricName = BuiltinMetric;

// ingress-nginx labels every request with the namespace and name of the Ingress that matched it;
// canary traffic is counted under the main Ingress (with a non-empty `canary` label), so these
// measure all traffic through the Ingress, primary and canary, like Flagger's nginx builtins.
const ingress = 'namespace="{{ namespace }}", ingress="{{ ingress }}"';

const nginx: Record<BuiltinMetricName, string> = {
  // Percentage (0-100) of requests not answered with a 5xx. `status` is "503" or, when the
  // controller reports status classes, "5xx": both match.
  'request-success-rate': `sum(rate(nginx_ingress_controller_requests{${ingress}, status!~"5.*"}[{{ interval }}]))
/
sum(rate(nginx_ingress_controller_requests{${ingress}}[{{ interval }}]))
* 100`,
  // P99 of the whole request time in milliseconds. Flagger's nginx builtin divides the deprecated
  // upstream-latency summary's sum by its count (a mean); the documented meaning is P99, and the
  // request-duration histogram is what current ingress-nginx exports.
  'request-duration': `histogram_quantile(0.99,
  sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${ingress}}[{{ interval }}]))
)
* 1000`,
};

// Flagger's kubernetes (blue/green) builtins read the application's own
// http_request_duration_seconds histogram, with the pod labels that Flagger's bundled Prometheus
// adds when scraping (kubernetes_namespace, kubernetes_pod_name). The pod regex matches the canary's
// pods (<target>-<hash>-<id>) and not the primary's (<target>-primary-<hash>-<id>).
const pods =
  'kubernetes_namespace="{{ namespace }}", kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';

const kubernetes: Record<BuiltinMetricName, string> = {
  'request-success-rate': `sum(rate(http_request_duration_seconds_count{${pods}, status!~"5.*"}[{{ interval }}]))
/
sum(rate(http_request_duration_seconds_count{${pods}}[{{ interval }}]))
* 100`,
  'request-duration': `histogram_quantile(0.99,
  sum by (le) (rate(http_request_duration_seconds_bucket{${pods}}[{{ interval }}]))
)
* 1000`,
};

/**
 * The query template of a builtin metric for a traffic provider. Gateway API defines routing, not
 * telemetry: each implementation (Envoy Gateway, Contour, Istio, Cilium, ...) exports its own
 * metrics, so there is no query that is right for all of them and none is guessed.
 */
export function builtinQuery(metric: BuiltinMetricName, provider: TrafficProvider): string {
  switch (provider) {
    case 'nginx':
      return nginx[metric];
    case 'kubernetes':
      return kubernetes[metric];
    case 'gatewayapi':
      throw new ConfigError(
        `builtin metric "${metric}" is not available for provider gatewayapi: Gateway API defines no ` +
          'standard metrics, each implementation exports its own. Write a MetricTemplate with a ' +
          "query over your gateway's metrics and reference it with templateRef",
      );
    default: {
      const unknown: never = provider;
      throw new ConfigError(`unknown traffic provider "${String(unknown)}"`);
    }
  }
}

export { isBuiltinMetric } from '../../operator/src/api/metric.ts';
