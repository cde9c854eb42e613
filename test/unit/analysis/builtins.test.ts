import { describe, expect, it } from 'vitest';
import { builtinMetricNames, builtinQuery, isBuiltinMetric } from '../../../analysis/src/builtins.ts';
import { ConfigError } from '../../../analysis/src/errors.ts';
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
  ] as const)('%s %s renders to its query', (provider, metric, expected) => {
    expect(flat(renderQuery(builtinQuery(metric, provider), model))).toBe(expected);
  });

  it.each(builtinMetricNames)('%s is refused for gatewayapi, pointing to MetricTemplate', (metric) => {
    expect(() => builtinQuery(metric, 'gatewayapi')).toThrow(ConfigError);
    expect(() => builtinQuery(metric, 'gatewayapi')).toThrow(
      new RegExp(`builtin metric "${metric}" is not available for provider gatewayapi.*MetricTemplate`),
    );
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
