/**
 * Why the machine could not take a step. The reconciler reports it as a Stalled condition with
 * `kind` as the reason: none of these goes away by retrying with the same input.
 */
export type MachineError =
  | { kind: 'UnsupportedVersion'; message: string }
  | { kind: 'InvalidSnapshot'; message: string }
  | { kind: 'UnknownState'; message: string }
  | { kind: 'InvalidPlan'; message: string }
  | { kind: 'InvalidEvent'; message: string };

export type Result<T> = { ok: true; value: T } | { ok: false; error: MachineError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T>(kind: MachineError['kind'], message: string): Result<T> => ({
  ok: false,
  error: { kind, message },
});
