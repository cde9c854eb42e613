// The analysis package: render MetricTemplate queries, query providers, judge the values.
export { renderQuery, type TemplateModel } from './render.ts';
export {
  builtinQuery,
  builtinMetricNames,
  GATEWAY_API_METRICS,
  isBuiltinMetric,
  type BuiltinMetricName,
  type BuiltinOptions,
  type GatewayApiMetrics,
} from './builtins.ts';
export {
  ConfigError,
  InvalidValueError,
  MultipleValuesError,
  NoValuesError,
  ProviderError,
  isCheckError,
  type CheckError,
  type ProviderErrorKind,
} from './errors.ts';
export {
  evaluate,
  type Evaluation,
  type QueryOutcome,
  type ThresholdRange,
  type Verdict,
} from './evaluate.ts';
export type { MetricProvider } from './provider.ts';
export { createPrometheusProvider, type PrometheusProviderOptions } from './prometheus.ts';
export { credentialsFromSecret, type Credentials } from './credentials.ts';
export {
  runChecks,
  overallVerdict,
  defaultQueryTimeoutMs,
  type AnalysisResult,
  type Check,
  type CheckResult,
  type OverallVerdict,
} from './analyse.ts';
export {
  callWebhook,
  callWebhooks,
  type WebhookCall,
  type WebhookOutcome,
  type WebhookPayload,
} from './webhooks.ts';
export {
  alertRequest,
  alertSeverities,
  discordSlackUrl,
  genericPayload,
  receives,
  sendAlert,
  slackPayload,
  teamsPayload,
  type AlertDestination,
  type AlertField,
  type AlertMessage,
  type AlertOutcome,
  type AlertProviderType,
  type AlertSeverity,
} from './alerts.ts';
