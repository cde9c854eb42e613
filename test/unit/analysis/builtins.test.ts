import { describe, expect, it } from 'vitest';
import {
  builtinMetricNames,
  builtinQuery,
  GATEWAY_API_METRICS,
  isBuiltinMetric,
} from '../../../analysis/src/builtins.ts';
import { renderQuery } from '../../../analysis/src/render.ts';

const model = {
  name: 'podinfo',
  namespace: 'test',
  target: 'podinfo',
  service: 'podinfo',
  ingress: 'podinfo',
  interval: '2m',
};

// The rendered text is the contract with the data plane's metrics: compare it whole, after
// collapsing whitespace, so a changed label or unit shows in review.
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('builtin metrics', () => {
  it.each([
    [
      'nginx',
      'request-success-rate',
      'sum(rate(nginx_ingress_controller_requests{namespace="test", ingress="podinfo", status!~"5.*"}[2m])) / sum(rate(nginx_ingress_controller_requests{namespace="test", ingress="podinfo"}[2m])) * 100',
    ],
    [
      'nginx',
      'request-duration',
      'histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{namespace="test", ingress="podinfo"}[2m])) ) * 1000',
    ],
    [
      'kubernetes',
      'request-success-rate',
      'sum(rate(http_request_duration_seconds_count{kubernetes_namespace="test", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", status!~"5.*"}[2m])) / sum(rate(http_request_duration_seconds_count{kubernetes_namespace="test", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[2m])) * 100',
    ],
    [
      'kubernetes',
      'request-duration',
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{kubernetes_namespace="test", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[2m])) ) * 1000',
    ],
    [
      'traefik',
      'request-success-rate',
      'sum(rate(traefik_service_requests_total{service=~"test-podinfo-canary-[0-9]+@kubernetescrd", code!~"5.*"}[2m])) / sum(rate(traefik_service_requests_total{service=~"test-podinfo-canary-[0-9]+@kubernetescrd"}[2m])) * 100',
    ],
    [
      'traefik',
      'request-duration',
      'histogram_quantile(0.99, sum by (le) (rate(traefik_service_request_duration_seconds_bucket{service=~"test-podinfo-canary-[0-9]+@kubernetescrd"}[2m])) ) * 1000',
    ],
  ] as const)('%s %s renders to its query', (provider, metric, expected) => {
    expect(flat(renderQuery(builtinQuery(metric, provider), model))).toBe(expected);
  });

  it.each([
    [
      'istio',
      'request-success-rate',
      'sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="test", destination_workload="podinfo", response_code!~"5.*"}[2m])) / sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="test", destination_workload="podinfo"}[2m])) * 100',
    ],
    [
      'istio',
      'request-duration',
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_workload_namespace="test", destination_workload="podinfo"}[2m])) )',
    ],
    [
      'contour',
      'request-success-rate',
      'sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"test_podinfo-canary_[0-9]+", envoy_response_code!~"5.*"}[2m])) / sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"test_podinfo-canary_[0-9]+"}[2m])) * 100',
    ],
    [
      'contour',
      'request-duration',
      'histogram_quantile(0.99, sum by (le) (rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=~"test_podinfo-canary_[0-9]+"}[2m])) )',
    ],
    [
      'linkerd',
      'request-success-rate',
      'sum(rate(response_total{namespace="test", deployment="podinfo", direction="inbound", classification!="failure"}[2m])) / sum(rate(response_total{namespace="test", deployment="podinfo", direction="inbound"}[2m])) * 100',
    ],
    [
      'linkerd',
      'request-duration',
      'histogram_quantile(0.99, sum by (le) (rate(response_latency_ms_bucket{namespace="test", deployment="podinfo", direction="inbound"}[2m])) )',
    ],
  ] as const)('gatewayapi with the %s set: %s renders to its query', (set, metric, expected) => {
    const query = builtinQuery(metric, 'gatewayapi', { gatewayApiMetrics: set });
    expect(flat(renderQuery(query, model))).toBe(expected);
  });

  it.each(builtinMetricNames)(
    'gatewayapi %s reads Istio metrics unless told otherwise, as Flagger',
    (metric) => {
      expect(builtinQuery(metric, 'gatewayapi')).toBe(
        builtinQuery(metric, 'gatewayapi', { gatewayApiMetrics: 'istio' }),
      );
    },
  );

  it('the gatewayapi sets measure the canary only: its workload or its Service, never the primary', () => {
    const primary = { ...model, target: 'podinfo-primary', service: 'podinfo-primary' };
    for (const set of GATEWAY_API_METRICS) {
      const query = renderQuery(
        builtinQuery('request-success-rate', 'gatewayapi', { gatewayApiMetrics: set }),
        model,
      );
      expect(query).not.toContain('podinfo-primary');
      expect(
        renderQuery(builtinQuery('request-success-rate', 'gatewayapi', { gatewayApiMetrics: set }), primary),
      ).not.toBe(query);
    }
  });

  it.each(['istio', 'contour'] as const)('provider %s reads the set of the same name', (provider) => {
    for (const metric of builtinMetricNames) {
      expect(builtinQuery(metric, provider)).toBe(
        builtinQuery(metric, 'gatewayapi', { gatewayApiMetrics: provider }),
      );
    }
  });

  it('DaemonSet targets: the canary pods (<ds>-<5 chars>) and the proxy daemonset label, never the primary', () => {
    const k8s = renderQuery(
      builtinQuery('request-success-rate', 'kubernetes', { targetKind: 'DaemonSet' }),
      model,
    );
    const pods = /kubernetes_pod_name=~"([^"]+)"/.exec(k8s)?.[1] ?? '';
    const anchored = new RegExp(`^(?:${pods})$`);
    expect(anchored.test('podinfo-x7k2p')).toBe(true);
    expect(anchored.test('podinfo-primary-x7k2p')).toBe(false);
    // The Deployment regex would have matched only the primary's DaemonSet pods.
    const dep = /kubernetes_pod_name=~"([^"]+)"/.exec(
      renderQuery(builtinQuery('request-success-rate', 'kubernetes'), model),
    )?.[1];
    expect(new RegExp(`^(?:${dep})$`).test('podinfo-x7k2p')).toBe(false);
    const l5d = renderQuery(
      builtinQuery('request-success-rate', 'gatewayapi', {
        gatewayApiMetrics: 'linkerd',
        targetKind: 'DaemonSet',
      }),
      model,
    );
    expect(l5d).toContain('daemonset="podinfo"');
    expect(l5d).not.toContain('deployment=');
  });

  it('nginx builtins need an ingressRef', () => {
    expect(() =>
      renderQuery(builtinQuery('request-success-rate', 'nginx'), { ...model, ingress: undefined }),
    ).toThrow('the Canary has no ingressRef');
  });

  it.each([
    ['request-success-rate', true],
    ['request-duration', true],
    ['error-rate', false],
    ['', false],
  ])('isBuiltinMetric(%j) is %s', (name, expected) => {
    expect(isBuiltinMetric(name)).toBe(expected);
  });
});
