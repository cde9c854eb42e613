import type { V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  receives,
  sendAlert,
  type AlertDestination,
  type AlertField,
  type AlertMessage,
  type AlertOutcome,
} from '../../../analysis/src/index.ts';
import { alertProviderSpecSchema, httpUrl, type Canary, type CanaryAlert } from '../api/index.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { EffectParams } from '../machine/index.ts';

/** Reason of the Warning Event when an alert cannot even be addressed (see docs/api.md). */
export const AlertReason = { NotSent: 'AlertNotSent' } as const;

/** `unresolved`: provider, Secret or address missing or invalid; `failed`: the POST failed. */
export type AlertResult = 'sent' | 'failed' | 'unresolved';

export interface AlertSources {
  alertProvider(namespace: string, name: string): { spec?: unknown } | undefined;
  secret(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** Counts one delivery per due alert entry, by provider type (`unknown` when unresolved early). */
  count(type: string, result: AlertResult): void;
  /** Injectable for tests; the operator uses analysis' sendAlert. */
  send?: (dest: AlertDestination, m: AlertMessage, opts: { timeoutMs: number }) => Promise<AlertOutcome>;
  timeoutMs?: number;
}

export interface AlertContext {
  canary: Canary;
  phase: string;
  events: EventRecorder;
  log: Logger;
  alerts: AlertSources;
}

/** Short: an alert is information, and a pass waits for its deliveries (all entries at once). */
export const DEFAULT_ALERT_TIMEOUT_MS = 5_000;

type Resolved = { ok: true; dest: AlertDestination } | { ok: false; type: string; problem: string };

/**
 * The destination of one alert entry: its AlertProvider (in providerRef.namespace, else the
 * Canary's) and the address, from the Secret's `address` key when secretRef is set (it then wins
 * over spec.address, as in Flagger), else spec.address. Problems name objects, never the address.
 */
export async function resolveDestination(
  entry: CanaryAlert,
  canaryNamespace: string,
  sources: AlertSources,
): Promise<Resolved> {
  const ns = entry.providerRef.namespace ?? canaryNamespace;
  const ref = `AlertProvider ${ns}/${entry.providerRef.name}`;
  const obj = sources.alertProvider(ns, entry.providerRef.name);
  if (!obj) return { ok: false, type: 'unknown', problem: `${ref} not found` };
  const parsed = alertProviderSpecSchema.safeParse(obj.spec);
  if (!parsed.success) return { ok: false, type: 'unknown', problem: `${ref} is invalid` };
  const spec = parsed.data;
  let address = spec.address;
  if (spec.secretRef) {
    const secretRef = `Secret ${ns}/${spec.secretRef.name} of ${ref}`;
    const secret = await sources.secret(ns, spec.secretRef.name);
    if (!secret) return { ok: false, type: spec.type, problem: `${secretRef} not found` };
    const encoded = secret.data?.['address'];
    if (!encoded) return { ok: false, type: spec.type, problem: `${secretRef} has no address key` };
    address = Buffer.from(encoded, 'base64').toString('utf8').trim();
    if (!httpUrl.safeParse(address).success)
      return { ok: false, type: spec.type, problem: `${secretRef}: address is not an http(s) URL` };
  }
  if (!address) return { ok: false, type: spec.type, problem: `${ref} has no address` };
  return {
    ok: true,
    dest: { type: spec.type, address, channel: spec.channel, username: spec.username },
  };
}

/** Flagger's alert fields: the target, the failure threshold, the deadline and how traffic moves. */
export function alertFields(canary: Canary): AlertField[] {
  const a = canary.spec.analysis;
  const routing =
    a.stepWeights && a.stepWeights.length > 0
      ? `Weight steps: ${a.stepWeights.join(',')} max: ${a.maxWeight ?? 100}`
      : a.stepWeight !== undefined
        ? `Weight step: ${a.stepWeight} max: ${a.maxWeight ?? 100}`
        : a.match && a.match.length > 0
          ? 'A/B Testing'
          : 'Blue/Green';
  return [
    {
      key: 'target',
      title: 'Target',
      value: `${canary.spec.targetRef.kind}/${canary.spec.targetRef.name}.${canary.metadata.namespace ?? ''}`,
    },
    { key: 'failedChecksThreshold', title: 'Failed checks threshold', value: String(a.threshold) },
    {
      key: 'progressDeadline',
      title: 'Progress deadline',
      value: `${canary.spec.progressDeadlineSeconds ?? 600}s`,
    },
    { key: 'trafficRouting', title: 'Traffic routing', value: routing },
  ];
}

/**
 * Sends one alert of the machine to every alert entry of the Canary whose severity lets it
 * through. Never throws and never fails the pass: a delivery failure is logged (without the
 * address) and counted; a provider, Secret or address that is missing or invalid is also shown on
 * the Canary as a Warning Event, since only the user can fix it.
 */
export async function deliverAlert(alert: EffectParams['sendAlert'], ctx: AlertContext): Promise<void> {
  const { canary, log, alerts: sources } = ctx;
  const namespace = canary.metadata.namespace ?? '';
  const due = (canary.spec.analysis.alerts ?? []).filter((e) => receives(e.severity, alert.severity));
  if (due.length === 0) return;
  const message: AlertMessage = {
    name: canary.metadata.name ?? '',
    namespace,
    phase: ctx.phase,
    severity: alert.severity,
    message: alert.message,
    fields: alertFields(canary),
  };
  const send = sources.send ?? sendAlert;
  const timeoutMs = sources.timeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS;
  await Promise.all(
    due.map(async (entry) => {
      try {
        const resolved = await resolveDestination(entry, namespace, sources);
        if (!resolved.ok) {
          sources.count(resolved.type, 'unresolved');
          log.warn({ alert: entry.name }, `alert not sent: ${resolved.problem}`);
          await ctx.events.record(
            {
              apiVersion: canary.apiVersion,
              kind: 'Canary',
              namespace,
              name: canary.metadata.name ?? '',
              ...(canary.metadata.uid ? { uid: canary.metadata.uid } : {}),
            },
            'Warning',
            AlertReason.NotSent,
            `Alert ${entry.name} not sent: ${resolved.problem}`,
          );
          return;
        }
        const outcome = await send(resolved.dest, message, { timeoutMs });
        sources.count(resolved.dest.type, outcome.ok ? 'sent' : 'failed');
        const where = { alert: entry.name, provider: entry.providerRef.name, severity: alert.severity };
        if (outcome.ok) log.debug(where, 'alert sent');
        else log.warn(where, `alert not delivered: ${outcome.message}`);
      } catch (err) {
        // Defence in depth: nothing here may fail the pass. The error is not logged as is, since
        // it could carry the address; its name is enough to look further.
        sources.count('unknown', 'failed');
        log.warn({ alert: entry.name, error: err instanceof Error ? err.name : 'unknown' }, 'alert failed');
      }
    }),
  );
}
