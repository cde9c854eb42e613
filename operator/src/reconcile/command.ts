import { readCommand, type Canary } from '../api/index.ts';
import type { CommandEvent, MachineContext, ObserveEvent } from '../machine/index.ts';

/**
 * The command on the Canary as a machine event, once: a command whose id the machine already
 * handled (accepted or refused) is not given again, so a command left on the object does nothing
 * more and a resumed operator does not repeat it.
 */
export function commandEvent(
  canary: Canary,
  context: Pick<MachineContext, 'lastCommand'> | undefined,
  observation: ObserveEvent,
): CommandEvent | undefined {
  const read = readCommand(canary.metadata.annotations);
  if (!read || !context || context.lastCommand?.id === read.id) return undefined;
  const { revision: observed, suspended, deleting } = observation;
  const base = {
    type: 'COMMAND',
    now: observation.now,
    id: read.id,
    observed: { revision: observed, suspended, deleting },
  } as const;
  if (!read.ok) return { ...base, verb: 'invalid', revision: '', full: false, error: read.error };
  const { verb, revision, full } = read.command;
  return { ...base, verb, revision, full: full ?? false };
}
