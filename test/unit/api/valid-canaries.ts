// Canaries in the shape of Flagger's documented examples (gatewayapi, nginx, kubernetes
// blue/green), written as a Flagger user would write them with only apiVersion changed.
import { parse } from 'yaml';

export interface ValidExample {
  name: string;
  yaml: string;
}

const gatewayapiCanary = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: gatewayapi:v1
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  progressDeadlineSeconds: 60
  service:
    port: 9898
    targetPort: 9898
    hosts:
      - app.example.com
    gatewayRefs:
      - name: public
        namespace: gateways
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: error-rate
        templateRef:
          name: error-rate
          namespace: fledge-system
        thresholdRange:
          max: 1
        interval: 1m
      - name: latency
        templateRef:
          name: latency
        thresholdRange:
          max: 0.5
        interval: 30s
    webhooks:
      - name: smoke-test
        type: pre-rollout
        url: http://loadtester.test/
        timeout: 15s
        metadata:
          type: bash
          cmd: curl -s http://podinfo-canary.test:9898/healthz
      - name: load-test
        url: http://loadtester.test/
        timeout: 5s
        metadata:
          cmd: hey -z 2m -q 10 -c 2 http://app.example.com/
`;

const gatewayapiAB = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
spec:
  provider: gatewayapi:v1beta1
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
  service:
    port: 9898
    gatewayRefs:
      - name: public
        namespace: gateways
        sectionName: http
  analysis:
    interval: 1m
    threshold: 10
    iterations: 10
    match:
      - headers:
          x-canary:
            exact: insider
      - headers:
          cookie:
            regex: "^(.*?;)?(canary=always)(;.*)?$"
      - queryParams:
          preview:
            exact: "true"
        uri:
          prefix: /api
    metrics:
      - name: error-rate
        templateRef: { name: envoy-error-rate }
        thresholdRange: { max: 1 }
        interval: 1m
`;

const nginxCanary = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: nginx
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  ingressRef:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    name: podinfo
  progressDeadlineSeconds: 60
  service:
    port: 80
    targetPort: http
  analysis:
    interval: 10s
    threshold: 10
    maxWeight: 50
    stepWeight: 5
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
      - name: request-duration
        thresholdRange:
          max: 500
        interval: 1m
    webhooks:
      - name: acceptance-test
        type: pre-rollout
        url: http://loadtester.test/
        timeout: 30s
        metadata:
          type: bash
          cmd: curl -s http://podinfo-canary/healthz
      - name: load-test
        url: http://loadtester.test/
        timeout: 5s
        metadata:
          cmd: hey -z 1m -q 10 -c 2 http://app.example.com/
`;

const nginxAB = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
spec:
  provider: nginx
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
  ingressRef: { apiVersion: networking.k8s.io/v1, kind: Ingress, name: podinfo }
  service:
    port: 80
    targetPort: 9898
  analysis:
    interval: 1m
    threshold: 10
    iterations: 10
    match:
      - headers:
          x-canary:
            exact: insider
      - headers:
          cookie:
            exact: canary
    metrics:
      - name: request-success-rate
        thresholdRange: { min: 99 }
`;

const kubernetesBlueGreen = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: kubernetes
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  progressDeadlineSeconds: 60
  service:
    port: 9898
    portDiscovery: true
  analysis:
    interval: 30s
    threshold: 2
    iterations: 10
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
      - name: request-duration
        thresholdRange:
          max: 500
        interval: 30s
    webhooks:
      - name: conformance-test
        type: pre-rollout
        url: http://loadtester.test/
        timeout: 15s
        metadata:
          type: bash
          cmd: curl -s http://podinfo-canary.test:9898/healthz
      - name: load-test
        type: rollout
        url: http://loadtester.test/
        timeout: 5s
        metadata:
          type: cmd
          cmd: hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/
`;

// Fields a Flagger user may write that fledge accepts as written, all in one object.
const everythingSupported = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: everything
spec:
  provider: gatewayapi
  metricsServer: http://prometheus.monitoring:9090
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: shop }
  skipAnalysis: false
  suspend: false
  revertOnDeletion: true
  service:
    name: shop
    port: 8080
    portName: http
    targetPort: 8080
    appProtocol: http
    gatewayRefs:
      - { name: public, namespace: gateways, group: gateway.networking.k8s.io, kind: Gateway, port: 80 }
    apex: { labels: { tier: web }, annotations: { note: apex } }
    primary: { labels: { track: primary } }
    canary: { annotations: { track: canary } }
    delegation: false
    headless: false
  analysis:
    interval: 1m30s
    threshold: 3
    maxWeight: 90
    stepWeights: [1, 5, 10, 30, 60, 90]
    stepWeightPromotion: 20
    primaryReadyThreshold: 80
    canaryReadyThreshold: 50
    mirror: false
    metrics:
      - name: legacy-errors
        templateRef: { name: errors }
        threshold: 5
      - name: p99
        query: histogram_quantile(0.99, sum(rate(http_duration_seconds_bucket[1m])) by (le))
        thresholdRange: { min: 0, max: 0.25 }
      - name: errors
        templateRef: { name: errors }
        templateVariables: { route: checkout }
        thresholdRange: { max: 2 }
    webhooks:
      - name: gate
        type: confirm-rollout
        url: https://gate.example.com/approve
        retries: 3
        muteAlert: true
        disableTLS: false
      - { name: more, type: confirm-traffic-increase, url: http://gate.test/ }
      - { name: promote, type: confirm-promotion, url: http://gate.test/ }
      - { name: post, type: post-rollout, url: http://gate.test/ }
      - { name: back, type: rollback, url: http://gate.test/ }
      - { name: events, type: event, url: http://events.test/ }
    alerts:
      - name: on-call
        severity: error
        providerRef: { name: pager, namespace: fledge-system }
      - name: team
        providerRef: { name: slack }
`;

// A release a person steers: manual gates are webhooks without a url (kubectl fledge promote opens them).
const manualGates = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: steered
  namespace: test
spec:
  provider: gatewayapi
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: steered
  service:
    port: 80
    gatewayRefs:
      - name: public
  analysis:
    interval: 1m
    threshold: 2
    maxWeight: 50
    stepWeight: 10
    webhooks:
      - name: approve-start
        type: confirm-rollout
      - name: approve-ship
        type: confirm-promotion
      - name: load-test
        url: http://loadtester.test/
`;

// Flagger's most common shape: no provider, which the operator's --mesh-provider supplies.
const defaultProvider = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 15s
    threshold: 15
    maxWeight: 30
    stepWeight: 10
`;

// Flagger's gatewayapi e2e shape: the builtin checks, answered with Istio's metrics by default.
const gatewayapiBuiltins = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: gatewayapi:v1beta1
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
    gatewayRefs:
      - name: gateway
        namespace: istio-ingress
  analysis:
    interval: 15s
    threshold: 15
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
      - name: request-duration
        thresholdRange:
          max: 500
        interval: 30s
`;

// Blue/green on Gateway API with traffic mirroring: the canary is analysed on a copy of live traffic.
const gatewayapiMirror = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: gatewayapi:v1
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
    gatewayRefs:
      - name: gateway
  analysis:
    interval: 1m
    threshold: 5
    iterations: 10
    mirror: true
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
`;

// Flagger's Istio tutorial, without its service.retries (not supported yet).
const istioCanary = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: istio
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  progressDeadlineSeconds: 60
  service:
    port: 80
    targetPort: 9898
    gateways:
      - istio-ingress/public-gateway
    hosts:
      - app.example.com
    trafficPolicy:
      tls:
        mode: DISABLE
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
      - name: request-duration
        thresholdRange:
          max: 500
        interval: 30s
`;

const istioMirror = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: istio
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 5
    iterations: 10
    mirror: true
    match:
      - headers:
          x-canary:
            exact: insider
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
`;

// Flagger's Contour tutorial (its service.retries left out: not supported yet).
const contourCanary = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: contour
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  progressDeadlineSeconds: 60
  service:
    port: 80
    targetPort: 9898
  analysis:
    interval: 30s
    threshold: 5
    maxWeight: 50
    stepWeight: 5
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
      - name: request-duration
        thresholdRange:
          max: 500
        interval: 30s
`;

// Flagger's Traefik tutorial.
const traefikCanary = `
apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: traefik
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  progressDeadlineSeconds: 60
  service:
    port: 80
    targetPort: 9898
  analysis:
    interval: 10s
    threshold: 10
    maxWeight: 50
    stepWeight: 5
    metrics:
      - name: request-success-rate
        interval: 1m
        thresholdRange:
          min: 99
      - name: request-duration
        interval: 1m
        thresholdRange:
          max: 500
`;

// The blue/green one with a KEDA ScaledObject as its autoscaler (Flagger's KEDA tutorial shape).
const kedaBlueGreen = kubernetesBlueGreen.replace(
  '  progressDeadlineSeconds: 60\n',
  `  progressDeadlineSeconds: 60
  autoscalerRef:
    apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    name: podinfo-so
    primaryScalerQueries:
      prom-trigger: sum(rate(http_requests_total{app="podinfo-primary"}[30s]))
`,
);

export const validExamples: ValidExample[] = [
  { name: 'kubernetes blue/green with a KEDA ScaledObject', yaml: kedaBlueGreen },
  { name: 'traefik canary release', yaml: traefikCanary },
  { name: 'contour canary release', yaml: contourCanary },
  { name: 'istio canary release', yaml: istioCanary },
  { name: 'istio A/B testing', yaml: istioMirror.replace('    mirror: true\n', '') },
  { name: 'gatewayapi blue/green with mirroring', yaml: gatewayapiMirror },
  { name: 'gatewayapi builtin metrics', yaml: gatewayapiBuiltins },
  { name: 'gatewayapi canary release', yaml: gatewayapiCanary },
  { name: 'gatewayapi A/B testing', yaml: gatewayapiAB },
  { name: 'nginx canary release', yaml: nginxCanary },
  { name: 'nginx A/B testing', yaml: nginxAB },
  { name: 'kubernetes blue/green', yaml: kubernetesBlueGreen },
  { name: 'every supported field', yaml: everythingSupported },
  { name: 'manual gates', yaml: manualGates },
  { name: 'no provider (the operator default)', yaml: defaultProvider },
];

/** A fresh copy of a valid example as a plain object, for tests to mutate. */
export function example(name: string): Record<string, unknown> {
  const found = validExamples.find((e) => e.name === name);
  if (!found) throw new Error(`no valid example named ${name}`);
  return parse(found.yaml) as Record<string, unknown>;
}
