import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GATEWAY_API_METRICS } from '../../../analysis/src/builtins.ts';
import { PROVIDER_NAMES } from '../api/provider.ts';
import { parseSelector, SelectorError } from '../kube/label-selector.ts';

/**
 * Operator configuration from flags and environment, validated once at start: a bad value stops
 * the process with a message naming the setting, before anything touches the cluster.
 */
const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.object({
  /** Namespace to watch; empty watches all namespaces. */
  watchNamespace: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, 'must be a namespace name or empty')
    .default(''),
  /**
   * Label selector of the Canaries this operator owns (a shard); empty owns every Canary. Shards
   * with disjoint selectors each take their own Lease (see leaseNameFor).
   */
  shardSelector: z
    .string()
    .default('')
    .superRefine((s, ctx) => {
      try {
        parseSelector(s);
      } catch (err) {
        if (!(err instanceof SelectorError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    }),
  metricsAddress: z
    .string()
    .regex(/^[^:]*:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:8080')
    .default('0.0.0.0:8080'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  logFormat: z.enum(['json', 'pretty']).default('json'),
  concurrency: positiveInt.max(64).default(32),
  leaderElect: z.stringbool().default(true),
  leaseNamespace: z.string().min(1).default('default'),
  /** Default: fledge-leader, or a name of the shard's own (leaseNameFor). */
  leaseName: z.string().min(1).optional(),
  leaseDurationSeconds: positiveInt.default(15),
  renewDeadlineSeconds: positiveInt.default(10),
  retryPeriodSeconds: positiveInt.default(2),
  /** Level-triggered safety net: every canary is reconciled at least this often. */
  resyncSeconds: positiveInt.default(300),
  /** The traffic provider of Canaries that name none (Flagger's -mesh-provider). */
  meshProvider: z.enum(PROVIDER_NAMES).optional(),
  /** Prometheus used by the builtin metrics when no MetricTemplate names one. */
  metricsServer: z.url().optional(),
  /** Whose metric names the builtin metrics of gatewayapi Canaries read (Flagger reads Istio's). */
  gatewayApiMetrics: z.enum(GATEWAY_API_METRICS).default('istio'),
  identity: z.string().min(1).optional(),
  /** Deadline of every Kubernetes API request (watches have their own inactivity timeout). */
  apiTimeoutSeconds: positiveInt.max(300).default(30),
  /** Kubernetes API requests a second after the burst (client-go's QPS); 0 sends without a limit. */
  kubeApiQps: z.coerce.number().min(0).max(10_000).default(100),
  /** Kubernetes API requests sent at once before the QPS applies. */
  kubeApiBurst: positiveInt.max(10_000).default(250),
  /** Refuse Canaries that use another namespace's MetricTemplate or AlertProvider (multi-tenant clusters). */
  noCrossNamespaceRefs: z.stringbool().default(false),
  /** Deadline of one reconcile pass; a pass past it is abandoned and retried with backoff. */
  passTimeoutSeconds: positiveInt.max(3600).default(120),
});
export type Config = z.infer<typeof configSchema>;

/** Environment variables read (FLEDGE_<SETTING> in screaming snake case), e.g. FLEDGE_WATCH_NAMESPACE. */
export function fromEnv(env: NodeJS.ProcessEnv, schema: z.ZodObject = configSchema): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const name = `FLEDGE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/**
 * The default Lease of a shard: replicas of one shard share it, replicas of different shards
 * never do (one Lease for two shards would leave one of them without a leader).
 */
export function leaseNameFor(shardSelector: string): string {
  const requirements = parseSelector(shardSelector);
  if (requirements.length === 0) return 'fledge-leader';
  // The same selector written in another order (requirements or set values) is the same shard.
  const canonical = JSON.stringify(
    requirements
      .map((r) => JSON.stringify('values' in r ? { ...r, values: [...r.values].sort() } : r))
      .sort(),
  );
  return `fledge-leader-${createHash('sha256').update(canonical).digest('hex').slice(0, 10)}`;
}

export class ConfigError extends Error {}

export function parseConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): Config {
  return parseSettings(configSchema, flags, env);
}

/** Flags over FLEDGE_* environment variables, validated by `schema`; errors name the flag. */
export function parseSettings<S extends z.ZodObject>(
  schema: S,
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): z.output<S> {
  const result = schema.safeParse({ ...fromEnv(env, schema), ...flags });
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  --${kebab(String(i.path[0] ?? ''))}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
