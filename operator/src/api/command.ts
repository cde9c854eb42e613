import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GROUP } from './group.ts';

/**
 * Manual control of a release (docs/decisions/0007-manual-control.md). A command is one annotation
 * on the Canary, written by `kubectl fledge` or by hand; the operator hands it to the machine as an
 * event once, and the machine accepts or refuses it and records which in status. The revision it
 * names must be the release in progress, so a command typed for one release never acts on the next.
 */
export const COMMAND_ANNOTATION = `${GROUP}/command`;

export const commandVerbs = ['promote', 'abort', 'retry', 'pause', 'resume'] as const;
export type CommandVerb = (typeof commandVerbs)[number];

export const commandSchema = z.strictObject({
  verb: z.enum(commandVerbs),
  /** status.lastAppliedSpec of the release the command is for. */
  revision: z.string().min(1),
  /** promote only: skip the rest of the analysis and every gate, and promote now. */
  full: z.boolean().optional(),
  /** When it was issued; it makes a repeated command (a second promote) a new one. */
  at: z.string().optional(),
  /** Anything else that makes it unique (Argo CD actions put the resourceVersion they saw). */
  nonce: z.string().optional(),
});
export type Command = z.infer<typeof commandSchema>;

/** A command as read from the annotation: its id (a hash of the exact text) and either it or why it is not one. */
export type ReadCommand = { id: string } & ({ ok: true; command: Command } | { ok: false; error: string });

export function readCommand(
  annotations: Readonly<Record<string, string>> | undefined,
): ReadCommand | undefined {
  const raw = annotations?.[COMMAND_ANNOTATION];
  if (raw === undefined) return undefined;
  const id = commandId(raw);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { id, ok: false, error: `${COMMAND_ANNOTATION} is not JSON` };
  }
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { id, ok: false, error: `${COMMAND_ANNOTATION}: ${why}` };
  }
  return { id, ok: true, command: parsed.data };
}

/** The id of a command: a hash of the annotation's exact text, shown in status.lastCommand.id. */
export function commandId(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/** The annotation value for a command (what the CLI writes). */
export function commandAnnotation(command: Command): string {
  return JSON.stringify(command);
}
