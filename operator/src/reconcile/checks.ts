import type { V1Secret } from '@kubernetes/client-node';
import {
  builtinQuery,
  ConfigError,
  createPrometheusProvider,
  credentialsFromSecret,
  evaluate,
  isBuiltinMetric,
  overallVerdict,
  renderQuery,
  runChecks,
  type CheckResult,
  type GatewayApiMetrics,
  type MetricProvider,
  type OverallVerdict,
  type PrometheusProviderOptions,
} from '../../../analysis/src/index.ts';
import {
  metricBounds,
  metricTemplateSpecSchema,
  trafficProvider,
  type Canary,
  type ResolvedCanary,
  type MetricTemplateSpec,
} from '../api/index.ts';

type Metric = NonNullable<Canary['spec']['analysis']['metrics']>[number];

export interface CheckSources {
  metricTemplate(namespace: string, name: string): { spec?: unknown } | undefined;
  secret(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** The operator's default Prometheus (for builtin and inline metrics without spec.metricsServer). */
  defaultMetricsServer?: string | undefined;
  /** The builtin query set of gatewayapi Canaries (the operator's --gateway-api-metrics). */
  gatewayApiMetrics?: GatewayApiMetrics | undefined;
  /** Injectable so unit tests need no server; the operator uses createPrometheusProvider. */
  makeProvider?: (options: PrometheusProviderOptions) => MetricProvider;
}

export interface Analysis {
  verdict: OverallVerdict;
  results: CheckResult[];
}

/** A check that cannot even be queried: Inconclusive with the reason, never Pass. */
function unqueryable(
  metric: Metric,
  range: { min?: number; max?: number },
  message: string,
  now: Date,
): CheckResult {
  return {
    name: metric.name,
    query: '',
    at: now.toISOString(),
    ...evaluate({ error: new ConfigError(message) }, range),
  };
}

function providerOptions(
  spec: MetricTemplateSpec['provider'],
  secret: V1Secret | undefined,
): PrometheusProviderOptions {
  const headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k, v.join(', ')]));
  return {
    address: spec.address ?? '',
    headers,
    insecureSkipVerify: spec.insecureSkipVerify ?? false,
    timeoutMs: 10_000,
    ...(secret ? credentialsFromSecret(secret.data ?? {}) : {}),
  };
}

/**
 * Runs the metric checks of one analysis step. Everything that keeps a check from producing a
 * number (a missing template or Secret, a template that does not render, no Prometheus address)
 * makes that check Inconclusive with a readable message; no failure here is ever a Pass.
 */
/**
 * A read of the API server that failed (not a missing object): the pass fails and is retried, as
 * any other effect would be. Counted as a check result it would be a failed check, and an API
 * server's hiccup would roll a healthy release back.
 */
class SourceUnavailableError extends Error {}

async function unlessUnavailable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new SourceUnavailableError('API read failed', { cause: err });
  }
}

export async function analyse(canary: ResolvedCanary, sources: CheckSources, now: Date): Promise<Analysis> {
  const namespace = canary.metadata.namespace ?? '';
  const canaryName = canary.metadata.name ?? '';
  const spec = canary.spec;
  const make = sources.makeProvider ?? createPrometheusProvider;
  const pending: CheckResult[] = [];
  const runnable: Parameters<typeof runChecks>[0][number][] = [];
  for (const metric of spec.analysis.metrics ?? []) {
    const range = metricBounds(metric);
    const model = {
      name: canaryName,
      namespace,
      target: spec.targetRef.name,
      service: spec.service.name ?? spec.targetRef.name,
      ingress: spec.ingressRef?.name,
      interval: metric.interval,
      variables: metric.templateVariables,
    };
    try {
      if (metric.templateRef) {
        const ns = metric.templateRef.namespace ?? namespace;
        const obj = sources.metricTemplate(ns, metric.templateRef.name);
        if (!obj) {
          pending.push(
            unqueryable(metric, range, `MetricTemplate ${ns}/${metric.templateRef.name} not found`, now),
          );
          continue;
        }
        const parsed = metricTemplateSpecSchema.safeParse(obj.spec);
        if (!parsed.success) {
          pending.push(
            unqueryable(metric, range, `MetricTemplate ${ns}/${metric.templateRef.name} is invalid`, now),
          );
          continue;
        }
        const ref = parsed.data.provider.secretRef;
        const secret = ref ? await unlessUnavailable(() => sources.secret(ns, ref.name)) : undefined;
        if (ref && !secret) {
          pending.push(
            unqueryable(
              metric,
              range,
              `Secret ${ns}/${ref.name} of MetricTemplate ${metric.templateRef.name} not found`,
              now,
            ),
          );
          continue;
        }
        const provider = make(providerOptions(parsed.data.provider, secret));
        runnable.push({ name: metric.name, query: renderQuery(parsed.data.query, model), range, provider });
        continue;
      }
      const address = spec.metricsServer ?? sources.defaultMetricsServer;
      if (!address) {
        pending.push(
          unqueryable(
            metric,
            range,
            'no Prometheus: set spec.metricsServer or the operator --metrics-server',
            now,
          ),
        );
        continue;
      }
      const query = metric.query
        ? renderQuery(metric.query, model)
        : isBuiltinMetric(metric.name)
          ? renderQuery(
              builtinQuery(metric.name, trafficProvider(spec.provider), {
                gatewayApiMetrics: sources.gatewayApiMetrics,
                targetKind: spec.targetRef.kind,
              }),
              model,
            )
          : undefined;
      if (!query) {
        pending.push(
          unqueryable(metric, range, `metric ${metric.name} has no templateRef, query or builtin`, now),
        );
        continue;
      }
      runnable.push({ name: metric.name, query, range, provider: make({ address, timeoutMs: 10_000 }) });
    } catch (err) {
      if (err instanceof SourceUnavailableError) throw err.cause;
      pending.push(unqueryable(metric, range, err instanceof Error ? err.message : String(err), now));
    }
  }
  const ran = await runChecks(runnable, now);
  const results = [...pending, ...ran.results];
  return { verdict: overallVerdict(results), results };
}
