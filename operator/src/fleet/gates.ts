// Opening and closing member gates, pure: which clusters of an open wave get their gate opened,
// the commands that do it, and aborts when a wave halts. Approvals are written into the clusters'
// status entries, which the reconciler persists before it sends any command.
import type { CanaryPhase, FleetWave } from '../api/index.ts';
import { commandAnnotation, commandId } from '../api/index.ts';
import type { ClusterView } from './cluster-view.ts';

export interface MemberCommand {
  cluster: string;
  verb: 'promote' | 'abort';
  revision: string;
  /** The exact annotation text (deterministic: the same decision always writes the same text). */
  text: string;
}

export interface FleetEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** A member refusal (it was suspended, say) is asked again after this long, as a new command. */
export const REFUSED_RETRY_MS = 30_000;

const ANALYSIS_PHASES: readonly (CanaryPhase | undefined)[] = ['Waiting', 'Progressing', 'WaitingPromotion'];

/**
 * The command a fleet sends a cluster. Its text is its identity on the member (handled once), so it
 * names the release (when it started) and the attempt as well as the revision: a revision that
 * comes back in a later release, or a refused command asked again, is a new command.
 */
export function memberCommand(
  uid: string,
  cluster: string,
  verb: 'promote' | 'abort',
  revision: string,
  release: string,
  attempt = 0,
): MemberCommand {
  const nonce = `fleet/${uid}/${cluster}/${release}/${attempt}`;
  return { cluster, verb, revision, text: commandAnnotation({ verb, revision, nonce }) };
}

/**
 * In flight: let in for the release and not yet promoted or rolled back, whatever the hub can read
 * of it now (an in-flight cluster that turns unreachable still holds its place). A cluster seen
 * waiting at its gate for a revision it was not let in for is not in flight.
 */
function inFlight(v: ClusterView): boolean {
  if (v.done || v.failed) return false;
  const r = v.read;
  if (r?.kind === 'canary' && v.atRelease && !r.gated && r.phase !== 'Waiting') return true;
  if (v.status.approvedRevision === undefined) return false;
  return !(r?.kind === 'canary' && r.phase === 'Waiting' && r.revision !== v.status.approvedRevision);
}

/** Opens gates in the wave up to maxParallel: records the approval in the cluster's status. */
export function approve(inWave: ClusterView[], wave: FleetWave, now: string, events: FleetEvent[]): void {
  let budget = (wave.maxParallel ?? inWave.length) - inWave.filter(inFlight).length;
  for (const v of inWave) {
    if (budget <= 0) break;
    const r = v.read;
    if (r?.kind !== 'canary' || !v.atRelease || v.done || v.failed || !r.gated) continue;
    if (r.phase !== 'Waiting' || r.revision === undefined || v.status.approvedRevision === r.revision)
      continue;
    v.status.approvedRevision = r.revision;
    v.status.approvedAt = now;
    delete v.status.attempt;
    budget--;
    events.push({
      type: 'Normal',
      reason: 'GateOpened',
      message: `wave ${wave.name}: opened ${v.status.name}'s gate for revision ${r.revision}`,
    });
  }
}

/**
 * The promote commands of approvals on record (this pass's or earlier ones) whose gate is not open
 * yet. One the member refused is shown and, after REFUSED_RETRY_MS, asked again as a new attempt.
 */
export function pendingPromotes(
  views: ClusterView[],
  uid: string,
  release: string,
  now: Date,
): MemberCommand[] {
  const out: MemberCommand[] = [];
  for (const v of views) {
    const r = v.read;
    if (r?.kind !== 'canary' || !v.atRelease || r.revision === undefined || r.phase !== 'Waiting') continue;
    if (v.status.approvedRevision !== r.revision || v.status.abortedRevision === r.revision) continue;
    let cmd = memberCommand(uid, v.status.name, 'promote', r.revision, release, v.status.attempt ?? 0);
    const answer = r.lastCommand;
    if (answer && answer.id === commandId(cmd.text) && !answer.accepted) {
      v.status.message = `its Canary refused the gate opening: ${answer.message}`;
      if (now.getTime() - Date.parse(answer.time) < REFUSED_RETRY_MS) continue;
      v.status.attempt = (v.status.attempt ?? 0) + 1;
      cmd = memberCommand(uid, v.status.name, 'promote', r.revision, release, v.status.attempt);
    }
    if (r.command !== cmd.text) out.push(cmd);
  }
  return out;
}

/** Aborts the wave's canaries the hub let in that are still in analysis (spec.abortOnHalt), once per revision. */
export function abortInFlight(
  inWave: ClusterView[],
  uid: string,
  release: string,
  events: FleetEvent[],
): MemberCommand[] {
  const out: MemberCommand[] = [];
  for (const v of inWave) {
    const r = v.read;
    if (r?.kind !== 'canary' || !v.atRelease || r.revision === undefined || v.done || v.failed) continue;
    // Only what the hub let in: a cluster still held at its gate stays there, untouched.
    if (!ANALYSIS_PHASES.includes(r.phase) || v.status.approvedRevision !== r.revision) continue;
    if (v.status.abortedRevision !== r.revision) {
      v.status.abortedRevision = r.revision;
      events.push({
        type: 'Warning',
        reason: 'Aborted',
        message: `aborted ${v.status.name}'s analysis of ${r.revision}`,
      });
    }
    const cmd = memberCommand(uid, v.status.name, 'abort', r.revision, release);
    if (r.command !== cmd.text) out.push(cmd);
  }
  return out;
}
