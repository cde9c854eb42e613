import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { isAlreadyExists } from './errors.ts';
import { KubeRest, resourcePath } from './rest.ts';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface EventRecorder {
  /**
   * With `key` (one effect of one persisted decision) the Event is recorded exactly once: its name
   * is derived from the key, and a repeat finds it already there. Without, the same reason and
   * message aggregate into one Event whose count goes up.
   */
  record(
    obj: InvolvedObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    key?: string,
  ): Promise<void>;
}

/**
 * Records core/v1 Events on the canary (what `kubectl describe canary` shows). The same reason and
 * message for the same object updates one Event's count instead of adding another, also across
 * operator restarts, because the Event's name is derived from them. Event failures are logged,
 * never fatal: an Event is information, not state.
 */
export function createEventRecorder(
  kc: KubeConfig,
  component: string,
  instance: string,
  log: Logger,
): EventRecorder {
  const rest = new KubeRest(kc);
  const events = (namespace: string, name?: string) =>
    resourcePath({ group: '', version: 'v1', plural: 'events', namespace, name });
  return {
    async record(obj, type, reason, message, key) {
      const digest = createHash('sha256')
        .update(key !== undefined ? `key/${key}` : `${obj.uid ?? ''}/${type}/${reason}/${message}`)
        .digest('hex');
      const name = `${obj.name}.${digest.slice(0, 16)}`;
      const now = new Date();
      const event: CoreV1Event = {
        metadata: { name, namespace: obj.namespace },
        involvedObject: { ...obj },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component },
        reportingComponent: component,
        reportingInstance: instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      try {
        await rest.create(events(obj.namespace), event);
      } catch (err) {
        if (!isAlreadyExists(err)) {
          log.warn({ err, reason }, 'could not record event');
          return;
        }
        if (key !== undefined) return; // recorded by an earlier attempt of the same decision
        try {
          const live = await rest.get<CoreV1Event>(events(obj.namespace, name));
          await rest.replace(events(obj.namespace, name), {
            ...live,
            count: (live.count ?? 1) + 1,
            lastTimestamp: now,
          });
        } catch (updateErr) {
          log.warn({ err: updateErr, reason }, 'could not update event');
        }
      }
    },
  };
}
