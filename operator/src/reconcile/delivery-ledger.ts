/**
 * One-shot effects this process has delivered, per Canary, for its latest decision only. The
 * persisted marks (status.decision.delivered) survive restarts; this covers the moment between a
 * delivery and its mark, and a mark write that failed, so a replayed outbox never tells twice.
 */
export class DeliveryLedger {
  private readonly byCanary = new Map<string, { seq: number; indexes: Set<number> }>();

  /** The delivered indexes of decision `seq` of Canary `uid`; an older decision's are dropped. */
  for(uid: string, seq: number): Set<number> {
    const held = this.byCanary.get(uid);
    if (held && held.seq === seq) return held.indexes;
    if (held && held.seq > seq) return new Set<number>(); // a stale read: never record into it
    const indexes = new Set<number>();
    this.byCanary.set(uid, { seq, indexes });
    return indexes;
  }

  forget(uid: string): void {
    this.byCanary.delete(uid);
  }

  get size(): number {
    return this.byCanary.size;
  }
}
