// One cluster of a fleet release as the planner sees it in this pass: its stored entry brought up
// to date with what the hub just read. Pure.
import type { FleetClusterStatus, MemberPhase } from '../api/index.ts';
import { canonicalJson } from '../workloads/revision.ts';
import type { Member, MemberRead } from './member-read.ts';

export interface ClusterView {
  status: FleetClusterStatus;
  read: MemberRead | undefined;
  /** Its Canary runs the fleet's release (its revision has the release's identity). */
  atRelease: boolean;
  /** Its primary runs the release. */
  done: boolean;
  /** It rolled the release back. */
  failed: boolean;
}

export function observeCluster(
  prior: FleetClusterStatus,
  member: Member,
  releaseId: string,
  now: string,
): ClusterView {
  const read = member.read;
  const kept: Omit<FleetClusterStatus, 'phase'> = {
    name: prior.name,
    wave: prior.wave,
    ...pick(prior, ['approvedRevision', 'approvedAt', 'abortedRevision', 'attempt']),
  };
  if (read.kind !== 'canary') {
    const phase: MemberPhase =
      read.kind === 'unreachable' ? 'Unreachable' : read.kind === 'missing' ? 'Missing' : 'Invalid';
    // What it last showed stays visible: an unreachable cluster is not a cluster that never ran.
    const status = {
      ...kept,
      ...pick(prior, ['revision', 'succeededAt', 'startRevision']),
      phase,
      message: read.message,
    };
    return { status: stamped(prior, status, now), read, atRelease: false, done: false, failed: false };
  }
  // Its revision when the hub first read it in this release: only a change from it may start the
  // next release (plan.ts nextRelease).
  const startRevision = prior.startRevision ?? read.revision;
  const atRelease = read.identity === releaseId && read.revision !== undefined;
  const promoted = atRelease && read.revision === read.promotedRevision;
  // Failed with the primary on the release: the target went back to it (a revert), nothing failed.
  const done =
    promoted && (read.phase === 'Succeeded' || read.phase === 'Initialized' || read.phase === 'Failed');
  const failed = atRelease && !promoted && read.phase === 'Failed';
  const succeededAt = done ? (prior.revision === read.revision && prior.succeededAt) || now : undefined;
  const message = !atRelease
    ? read.targetIdentity !== undefined && read.targetIdentity !== read.identity
      ? `its Canary has not yet picked up ${read.targetIdentity}`
      : `runs ${read.identity ?? 'an unknown release'}, not ${releaseId}`
    : done && read.phase === 'Initialized' && startRevision !== read.revision
      ? 'initialized at this release, without analysis'
      : !read.gated && !done && !failed
        ? 'its Canary has no manual confirm-rollout gate: the hub cannot hold it'
        : read.message;
  const status: FleetClusterStatus = {
    ...kept,
    phase: atRelease ? (read.phase ?? 'Initializing') : 'Syncing',
    ...(read.weight !== undefined ? { weight: read.weight } : {}),
    ...(read.revision !== undefined ? { revision: read.revision } : {}),
    ...(startRevision !== undefined ? { startRevision } : {}),
    ...(succeededAt ? { succeededAt } : {}),
    ...(read.failedCheck ? { lastFailedCheck: read.failedCheck } : {}),
    ...(message ? { message } : {}),
  };
  return { status: stamped(prior, status, now), read, atRelease, done, failed };
}

/** `time` is when the entry last changed: an unchanged entry keeps it, so an unchanged status is not written. */
export function stamped(
  prior: FleetClusterStatus,
  next: Omit<FleetClusterStatus, 'time'>,
  now: string,
): FleetClusterStatus {
  const { time: priorTime, ...rest } = prior;
  return canonicalJson(rest) === canonicalJson(next) && priorTime
    ? { ...next, time: priorTime }
    : { ...next, time: now };
}

function pick<K extends keyof FleetClusterStatus>(
  s: FleetClusterStatus,
  keys: readonly K[],
): Partial<Pick<FleetClusterStatus, K>> {
  const out: Partial<Pick<FleetClusterStatus, K>> = {};
  for (const k of keys) if (s[k] !== undefined) out[k] = s[k];
  return out;
}
