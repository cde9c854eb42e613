// The I/O half of promote, abort, retry, pause and resume: write the command annotation on the
// Canary, then wait for the operator to say what became of it (status.lastCommand).
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import {
  COMMAND_ANNOTATION,
  commandAnnotation,
  commandId,
  GROUP,
  VERSION,
  type CanaryStatus,
  type CommandVerb,
} from '../api/index.ts';
import { followCanary } from './follow.ts';
import { getCanary } from './watch.ts';

export interface CommandOutcome {
  /** accepted or refused by the operator; timeout when it did not answer in time. */
  end: 'accepted' | 'refused' | 'timeout';
  message: string;
  revision: string;
}

/** A problem with what the user asked for (no such canary, nothing released yet): exit 2. */
export class InputError extends Error {}

export async function sendCommand(o: {
  kc: KubeConfig;
  namespace: string;
  name: string;
  verb: CommandVerb;
  full?: boolean;
  /** The release it is for; default the canary's current one (status.lastAppliedSpec). */
  revision?: string;
  timeoutMs: number;
  now?: () => Date;
}): Promise<CommandOutcome> {
  const canary = await getCanary(o.kc, o.namespace, o.name);
  const revision = o.revision ?? canary.status?.lastAppliedSpec;
  if (!revision)
    throw new InputError(
      `canary ${o.namespace}/${o.name} has no release yet (status.lastAppliedSpec is empty)`,
    );
  const raw = commandAnnotation({
    verb: o.verb,
    revision,
    ...(o.full ? { full: true } : {}),
    at: (o.now ?? (() => new Date()))().toISOString(),
  });
  const id = commandId(raw);
  const api = o.kc.makeApiClient(CustomObjectsApi);
  await api.patchNamespacedCustomObject(
    {
      group: GROUP,
      version: VERSION,
      plural: 'canaries',
      namespace: o.namespace,
      name: o.name,
      body: { metadata: { annotations: { [COMMAND_ANNOTATION]: raw } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const status = await waitForStatus(
    o.kc,
    o.namespace,
    o.name,
    (s) => s?.lastCommand?.id === id,
    o.timeoutMs,
  );
  const answer = status?.lastCommand;
  if (!answer || answer.id !== id) {
    return { end: 'timeout', revision, message: `the operator did not answer within ${o.timeoutMs / 1000}s` };
  }
  return { end: answer.accepted ? 'accepted' : 'refused', message: answer.message, revision };
}

/**
 * Watches one Canary until `done` holds for its status or the timeout passes; returns the last
 * status seen. A watch, not polling: the answer shows as soon as the operator writes it.
 */
export async function waitForStatus(
  kc: KubeConfig,
  namespace: string,
  name: string,
  done: (s: CanaryStatus | undefined) => boolean,
  timeoutMs: number,
): Promise<CanaryStatus | undefined> {
  let last = (await getCanary(kc, namespace, name)).status;
  if (done(last)) return last;
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      following.stop();
      resolve(last);
    };
    const timer = setTimeout(finish, timeoutMs);
    const following = followCanary(kc, namespace, name, (obj) => {
      last = obj.status;
      if (done(last)) finish();
    });
  });
}
