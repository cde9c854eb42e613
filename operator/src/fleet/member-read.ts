// What the hub read from a member cluster in one pass (member-client.ts reads it; the planner
// decides on it). Types only.
import type { CanaryPhase } from '../api/index.ts';

export type MemberRead =
  | { kind: 'unreachable'; message: string }
  | { kind: 'missing'; message: string }
  | { kind: 'invalid'; message: string }
  | {
      kind: 'canary';
      phase: CanaryPhase | undefined;
      weight: number | undefined;
      /** status.lastAppliedSpec */
      revision: string | undefined;
      /** status.lastPromotedSpec */
      promotedRevision: string | undefined;
      /** The release identity of `revision`, when the target read is of that revision. */
      identity: string | undefined;
      /** The target's release identity now, when it is not (yet) the Canary's revision. */
      targetIdentity?: string | undefined;
      /** The Canary holds releases at a manual confirm-rollout gate, which only a command opens. */
      gated: boolean;
      failedCheck?: { name: string; message?: string; time?: string } | undefined;
      /** The fledge.dev/command annotation as it is now. */
      command: string | undefined;
      /** status.lastCommand: what the member made of the last command it handled. */
      lastCommand?: { id: string; accepted: boolean; message: string; time: string } | undefined;
      message?: string | undefined;
    };

export interface Member {
  /** The cluster Secret's name. */
  name: string;
  labels: Readonly<Record<string, string>>;
  read: MemberRead;
}
