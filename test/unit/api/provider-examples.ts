// MetricTemplates and AlertProviders, valid and invalid, in the same form as invalid-canaries.ts
// so an integration test can apply the invalid ones to a real API server.
import type { InvalidExample } from './invalid-canaries.ts';

type Json = Record<string, unknown>;

export const validMetricTemplate: Json = {
  apiVersion: 'fledge.dev/v1alpha1',
  kind: 'MetricTemplate',
  metadata: { name: 'error-rate' },
  spec: {
    provider: {
      type: 'prometheus',
      address: 'http://prometheus.monitoring:9090',
      secretRef: { name: 'prom-auth' },
      headers: { 'X-Scope-OrgID': ['tenant-a'] },
      insecureSkipVerify: false,
    },
    query: `100 - sum(rate(http_requests_total{namespace="{{ namespace }}",service="{{ target }}",code!~"5.."}[{{ interval }}])) / sum(rate(http_requests_total{namespace="{{ namespace }}",service="{{ target }}"}[{{ interval }}])) * 100`,
  },
};

export const validAlertProviders: Json[] = [
  {
    spec: {
      type: 'slack',
      channel: 'releases',
      username: 'fledge',
      address: 'https://hooks.slack.com/services/x',
    },
  },
  { spec: { type: 'msteams', secretRef: { name: 'teams-url' } } },
  { spec: { type: 'discord', address: 'https://discord.com/api/webhooks/x' } },
  { spec: { type: 'generic', address: 'http://events.test/' } },
].map((o, i) => ({
  apiVersion: 'fledge.dev/v1alpha1',
  kind: 'AlertProvider',
  metadata: { name: `valid-${i}` },
  ...o,
}));

function template(name: string, spec: Json, provider: Json = {}): Json {
  const base = validMetricTemplate.spec as { provider: Json; query: string };
  const merged: Json = { ...base, ...spec, provider: { ...base.provider, ...provider } };
  for (const [k, v] of Object.entries(provider)) if (v === undefined) delete (merged.provider as Json)[k];
  for (const [k, v] of Object.entries(spec)) if (v === undefined) delete merged[k];
  return { ...validMetricTemplate, metadata: { name }, spec: merged };
}

export const invalidMetricTemplates: InvalidExample[] = [
  {
    name: 'provider Flagger has, fledge not yet',
    object: template('invalid-0', {}, { type: 'datadog' }),
    expectField: 'spec.provider.type',
    expectMessage: 'provider.type datadog is not supported yet',
  },
  {
    name: 'provider unknown',
    object: template('invalid-1', {}, { type: 'zabbix' }),
    expectField: 'spec.provider.type',
  },
  {
    name: 'prometheus without address',
    object: template('invalid-2', {}, { address: undefined }),
    expectField: 'spec.provider.address',
    expectMessage: 'required for prometheus',
  },
  {
    name: 'address not a URL',
    object: template('invalid-3', {}, { address: 'prometheus:9090' }),
    expectField: 'spec.provider.address',
  },
  {
    name: 'region',
    object: template('invalid-4', {}, { region: 'eu-west-1' }),
    expectField: 'spec.provider.region',
  },
  { name: 'query missing', object: template('invalid-5', { query: undefined }), expectField: 'spec.query' },
  { name: 'query empty', object: template('invalid-6', { query: '' }), expectField: 'spec.query' },
  {
    name: 'secretRef without name',
    object: template('invalid-7', {}, { secretRef: {} }),
    expectField: 'spec.provider.secretRef.name',
  },
];

function alertProvider(name: string, spec: Json): Json {
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'AlertProvider', metadata: { name }, spec };
}

export const invalidAlertProviders: InvalidExample[] = [
  {
    name: 'type Flagger has, fledge not yet',
    object: alertProvider('invalid-0', { type: 'rocket', address: 'https://chat.example.com/hooks/x' }),
    expectField: 'spec.type',
    expectMessage: 'type rocket is not supported yet',
  },
  {
    name: 'type unknown',
    object: alertProvider('invalid-1', { type: 'pagerduty', address: 'https://x.test/' }),
    expectField: 'spec.type',
  },
  {
    name: 'neither address nor secretRef',
    object: alertProvider('invalid-2', { type: 'slack', channel: 'releases' }),
    expectField: 'spec.address',
    expectMessage: 'set address or secretRef',
  },
  {
    name: 'address not a URL',
    object: alertProvider('invalid-3', { type: 'slack', address: 'hooks.slack.com' }),
    expectField: 'spec.address',
  },
  {
    name: 'proxy',
    object: alertProvider('invalid-4', {
      type: 'slack',
      address: 'https://x.test/',
      proxy: 'http://proxy:3128',
    }),
    expectField: 'spec.proxy',
  },
  {
    name: 'type missing',
    object: alertProvider('invalid-5', { address: 'https://x.test/' }),
    expectField: 'spec.type',
  },
];
