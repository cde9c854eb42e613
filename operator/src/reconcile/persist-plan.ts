// What a pass persists, decided from what it read and what it decided (docs/decisions/0006).
// Pure: the reconciler writes what these return.
import type { Effect, Phase } from '../machine/index.ts';
import { applyHealth, Reason, type Condition } from '../status/conditions.ts';
import { healthOf } from '../status/health.ts';
import { canonicalJson } from '../workloads/revision.ts';
import { isOneShot, needsDeliveryMark, type Decision } from './outbox.ts';

/**
 * The decision to persist. A pass whose machine snapshot and outbox equal the persisted ones keeps
 * that decision (its outbox was replayed), with the claims this process made while replaying it:
 * writing the marks as read would take them back, and a later process would send those alerts again.
 */
export function planDecision(args: {
  before: unknown;
  after: unknown;
  outbox: readonly Effect[];
  persisted: { decision: Decision; effects: Effect[] } | undefined;
  seq: number;
  claimed: Iterable<number>;
}): { changed: boolean; decision: Decision | undefined } {
  const { before, after, outbox, persisted, seq, claimed } = args;
  const changed =
    canonicalJson(after) !== canonicalJson(before) ||
    (outbox.length > 0 && canonicalJson(outbox) !== canonicalJson(persisted?.effects ?? []));
  if (changed) return { changed, decision: { seq: seq + 1, effects: asParams(outbox), delivered: [] } };
  if (!persisted) return { changed, decision: undefined };
  const delivered = deliveryMarks(persisted.effects, [...persisted.decision.delivered, ...claimed]);
  return { changed, decision: { ...persisted.decision, delivered } };
}

/** The decision `seq` with the marks this process holds, written once its outbox has run. */
export function appliedDecision(seq: number, outbox: readonly Effect[], claimed: Iterable<number>): Decision {
  return { seq, effects: asParams(outbox), delivered: deliveryMarks(outbox, claimed) };
}

/**
 * Ready only once applied: a new decision that makes the Canary Ready (Initialized, Succeeded)
 * while it still has objects to change is first written as Reconciling/Applying; the Ready status
 * is written after its outbox has run.
 */
export function firstWrite<S extends { message?: string | undefined; conditions?: unknown }>(
  status: S,
  args: {
    changed: boolean;
    phase: Phase;
    outbox: readonly Effect[];
    conditions: Condition[];
    generation: number;
    now: Date;
  },
): { applying: boolean; status: S } {
  const applying =
    args.changed && healthOf(args.phase, '').kind === 'ready' && args.outbox.some((e) => !isOneShot(e));
  if (!applying) return { applying, status };
  const conditions = applyHealth(
    args.conditions,
    { kind: 'reconciling', reason: Reason.Applying, message: `applying: ${status.message ?? ''}` },
    args.generation,
    args.now.toISOString(),
  );
  return { applying, status: { ...status, conditions } };
}

/**
 * The persisted marks of a decision: delivered alerts and hooks. Events are left out, as their
 * names already make them exactly-once; marking them would cost a status write per decision.
 */
export function deliveryMarks(effects: readonly Effect[], delivered: Iterable<number>): number[] {
  return [...new Set(delivered)]
    .filter((i) => effects[i] !== undefined && needsDeliveryMark(effects[i]))
    .sort((x, y) => x - y);
}

/** Top-level status fields that differ: what a status write changes (debug logs). */
export function changedFields(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => canonicalJson(a[k]) !== canonicalJson(b[k]),
  );
}

function asParams(outbox: readonly Effect[]): Decision['effects'] {
  // Effects are plain JSON (type + params): the shape status.decision stores.
  return outbox as unknown as Decision['effects'];
}
