import type { Effect } from '../machine/index.ts';
import type { DeliveryLedger } from './delivery-ledger.ts';
import { execute, type EffectContext } from './effects.ts';
import { effectKey, isOneShot, needsDeliveryMark } from './outbox.ts';
import type { StatusWriter } from './status-writer.ts';

/**
 * Runs the outbox of decision `seq` in order. One-shot effects already delivered (persisted marks,
 * or this process's ledger) are skipped. An alert or a post-rollout hook is claimed in status
 * before it is sent: at most once, so a crash between the claim and the send loses it rather than
 * repeating it. Events need no claim: their name is derived from the effect's key, and the API
 * server refuses a second one.
 */
export async function runOutbox(
  run: {
    deps: { delivered: DeliveryLedger; status: StatusWriter };
    namespace: string;
    name: string;
    uid: string;
    checkpoint: () => void;
    ctx: (phase: string, key?: string) => EffectContext;
  },
  phase: string,
  seq: number,
  effects: readonly Effect[],
  opts: { delivered: readonly number[]; skip: (e: Effect) => boolean },
): Promise<void> {
  const ledger = run.deps.delivered.for(run.uid, seq);
  const marked = new Set(opts.delivered);
  for (const [i, effect] of effects.entries()) {
    if (opts.skip(effect)) continue;
    if (isOneShot(effect) && (marked.has(i) || ledger.has(i))) continue;
    run.checkpoint();
    if (needsDeliveryMark(effect)) {
      const claimed = [...new Set([...marked, ...ledger, i])].sort((x, y) => x - y);
      await run.deps.status.markDelivered(run.namespace, run.name, seq, claimed);
    }
    if (isOneShot(effect)) ledger.add(i);
    await execute(effect, run.ctx(phase, effectKey(run.uid, seq, i)));
  }
}
