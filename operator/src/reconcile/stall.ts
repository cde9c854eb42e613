import type { Logger } from 'pino';
import { API_VERSION, type Canary } from '../api/index.ts';
import type { CanaryObject } from '../controller.ts';
import type { EventRecorder } from '../kube/events.ts';
import { stalledStatus } from './status.ts';
import type { StatusWriter } from './status-writer.ts';

/**
 * Shows on the Canary why it cannot go on: a condition (Stalled, or Reconciling for a transient
 * failure that is being retried) and a Warning Event, machine snapshot untouched. Written once per
 * distinct reason and message, so a retry loop does not rewrite status on every attempt.
 */
export async function stall(
  deps: { events: EventRecorder; status: StatusWriter },
  obj: CanaryObject,
  canary: Canary | undefined,
  reason: Parameters<typeof stalledStatus>[2],
  message: string,
  now: Date,
  log: Logger,
  kind: 'stalled' | 'reconciling' = 'stalled',
): Promise<void> {
  const { namespace = '', name = '' } = obj.metadata ?? {};
  const status = stalledStatus(
    canary,
    { generation: obj.metadata?.generation, status: obj.status },
    reason,
    message,
    now,
    kind,
  );
  const conditions = obj.status?.['conditions'] as
    Array<{ type: string; reason: string; message: string }> | undefined;
  const ready = conditions?.find((c) => c.type === 'Ready');
  const unchanged =
    ready?.reason === reason &&
    ready.message === message &&
    obj.status?.['observedGeneration'] === obj.metadata?.generation;
  if (unchanged) return;
  log.warn({ reason }, message);
  await deps.events.record(
    {
      apiVersion: obj.apiVersion ?? API_VERSION,
      kind: 'Canary',
      namespace,
      name,
      ...(obj.metadata?.uid ? { uid: obj.metadata.uid } : {}),
    },
    'Warning',
    reason,
    message,
  );
  await deps.status.write(namespace, name, obj.metadata?.resourceVersion, status);
}
