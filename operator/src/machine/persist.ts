import type { StateValue } from 'xstate';
import { z } from 'zod';
import { contextSchema } from './context.ts';
import { canaryMachine } from './machine.ts';
import type { CanarySnapshot } from './phase.ts';
import { err, ok, type Result } from './result.ts';

/** Bumped when a persisted snapshot of the previous version would mean something else. */
export const PERSISTED_VERSION = 1;

/**
 * The machine snapshot as kept in status.machine: the state as a dotted path (readable in
 * `kubectl get -o yaml`) and the whole context. Nothing else is needed to resume.
 */
export const persistedMachineSchema = z.object({
  version: z.literal(PERSISTED_VERSION),
  state: z.string().min(1),
  context: contextSchema,
});
export type PersistedMachine = z.infer<typeof persistedMachineSchema>;

/** 'analysis.step.measure' for { analysis: { step: 'measure' } }; the machine has no parallel states. */
export function stateKey(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [head, child] = Object.entries(value)[0] ?? [];
  return head === undefined ? '' : child === undefined ? head : `${head}.${stateKey(child)}`;
}

export function stateValueOf(key: string): StateValue {
  const [head = '', ...rest] = key.split('.');
  return rest.length === 0 ? head : { [head]: stateValueOf(rest.join('.')) };
}

type StateNodeLike = { type: string; always?: readonly unknown[]; states: Record<string, StateNodeLike> };

/**
 * Leaf states a snapshot can rest in. Transient choice states (only eventless transitions) are
 * left within the transition that entered them, so a snapshot claiming one was not written by us.
 */
function restingKeys(node: StateNodeLike, prefix: string[] = []): string[] {
  return Object.entries(node.states).flatMap(([name, child]) => {
    const path = [...prefix, name];
    if (child.type !== 'atomic') return restingKeys(child, path);
    return (child.always?.length ?? 0) > 0 ? [] : [path.join('.')];
  });
}
export const restingStates: ReadonlySet<string> = new Set(restingKeys(canaryMachine.root));

export function persist(snapshot: CanarySnapshot): PersistedMachine {
  return { version: PERSISTED_VERSION, state: stateKey(snapshot.value), context: snapshot.context };
}

/** A snapshot from persisted JSON, or why it cannot be one. Never throws. */
export function restore(raw: unknown): Result<CanarySnapshot> {
  if (typeof raw !== 'object' || raw === null)
    return err('InvalidSnapshot', 'persisted machine is not an object');
  const version = 'version' in raw ? raw.version : undefined;
  if (version !== PERSISTED_VERSION) {
    return err(
      'UnsupportedVersion',
      `persisted machine version ${String(version)} is not ${PERSISTED_VERSION}`,
    );
  }
  const parsed = persistedMachineSchema.safeParse(raw);
  if (!parsed.success) return err('InvalidSnapshot', `persisted machine: ${z.prettifyError(parsed.error)}`);
  const { state, context } = parsed.data;
  if (!restingStates.has(state))
    return err('UnknownState', `persisted machine state "${state}" does not exist`);
  return ok(canaryMachine.resolveState({ value: stateValueOf(state), context }));
}
