// The fleet controller's decision, pure: from the FleetCanary's spec, its persisted status and what
// the hub just read from every member cluster, the next status and the commands to send. The
// reconciler persists the status first and only then sends what it derives (docs/fleet.md): an
// approval is on record before any gate opens, and a command's text depends only on the fleet,
// the cluster and the revision, so sending it again after a crash is the same command.
import type {
  CanaryPhase,
  FleetCanarySpec,
  FleetCanaryStatus,
  FleetClusterStatus,
  FleetPhase,
  FleetWave,
  WavePhase,
} from '../api/index.ts';
import { commandAnnotation, durationMs } from '../api/index.ts';
import { matchesSelector, type Requirement } from '../kube/label-selector.ts';

/** What the hub read from one member cluster in this pass. */
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
      message?: string | undefined;
    };

export interface Member {
  /** The cluster Secret's name. */
  name: string;
  labels: Readonly<Record<string, string>>;
  read: MemberRead;
}

export interface PlanInput {
  spec: FleetCanarySpec;
  /** The selectors of spec.waves, parsed, in the same order. */
  waveSelectors: readonly (readonly Requirement[])[];
  status: FleetCanaryStatus;
  /** The member clusters spec.clusters selects now, sorted by name. */
  members: readonly Member[];
  /** metadata.uid of the FleetCanary: every command it sends carries it. */
  uid: string;
  now: Date;
}

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

export interface Plan {
  status: FleetCanaryStatus;
  commands: MemberCommand[];
  events: FleetEvent[];
  /** When the plan changes by time alone (a soak ends), if it does. */
  nextAt?: Date;
}

const ANALYSIS_PHASES: readonly (CanaryPhase | undefined)[] = ['Waiting', 'Progressing', 'WaitingPromotion'];

/** The command a fleet sends a cluster for a revision; the text is its identity on the member. */
export function memberCommand(
  uid: string,
  cluster: string,
  verb: 'promote' | 'abort',
  revision: string,
): MemberCommand {
  return {
    cluster,
    verb,
    revision,
    text: commandAnnotation({ verb, revision, nonce: `fleet/${uid}/${cluster}` }),
  };
}

/** The wave a cluster belongs to: the first whose selector matches its Secret's labels. */
export function waveOf(
  waves: readonly FleetWave[],
  selectors: readonly (readonly Requirement[])[],
  labels: Readonly<Record<string, string>>,
): FleetWave | undefined {
  return waves.find((_, i) => matchesSelector(selectors[i] ?? [], labels));
}

/**
 * The release the fleet should be running: an identity some member is analysing (or failed) that
 * is not the one the fleet already runs. During a release only a cluster of it whose revision
 * changed since the release started can start the next one: a cluster still waiting at the
 * previous release (its GitOps agent has not synced yet) must not pull the fleet back to it. When
 * members disagree, the one most of them show wins, then the lowest by name, so the choice does
 * not depend on read order.
 */
export function nextRelease(
  members: readonly Member[],
  current: FleetCanaryStatus | undefined,
): string | undefined {
  const inRelease = new Map((current?.clusters ?? []).map((c) => [c.name, c]));
  const counts = new Map<string, number>();
  for (const m of members) {
    const r = m.read;
    if (r.kind !== 'canary' || r.identity === undefined || r.revision === undefined) continue;
    if (r.revision === r.promotedRevision || r.identity === current?.release?.id) continue;
    if (current?.release) {
      const c = inRelease.get(m.name);
      if (!c || (c.startRevision !== undefined && c.startRevision === r.revision)) continue;
    }
    counts.set(r.identity, (counts.get(r.identity) ?? 0) + 1);
  }
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return ranked[0]?.[0];
}

interface ClusterView {
  status: FleetClusterStatus;
  read: MemberRead | undefined;
  /** Its Canary runs the fleet's release (its revision has the release's identity). */
  atRelease: boolean;
  done: boolean;
  failed: boolean;
}

function observeCluster(
  prior: FleetClusterStatus,
  member: Member | undefined,
  releaseId: string,
  now: string,
): ClusterView {
  const read = member?.read;
  const base: Omit<FleetClusterStatus, 'phase'> = {
    name: prior.name,
    wave: prior.wave,
    ...(prior.approvedRevision !== undefined ? { approvedRevision: prior.approvedRevision } : {}),
    ...(prior.approvedAt !== undefined ? { approvedAt: prior.approvedAt } : {}),
    ...(prior.abortedRevision !== undefined ? { abortedRevision: prior.abortedRevision } : {}),
    ...(prior.startRevision !== undefined ? { startRevision: prior.startRevision } : {}),
    time: now,
  };
  if (!read) {
    return {
      status: { ...base, phase: 'Unreachable', message: 'its cluster Secret is gone or no longer selected' },
      read,
      atRelease: false,
      done: false,
      failed: false,
    };
  }
  if (read.kind !== 'canary') {
    const phase =
      read.kind === 'unreachable' ? 'Unreachable' : read.kind === 'missing' ? 'Missing' : 'Invalid';
    // What it last showed stays visible: an unreachable cluster is not a cluster that never ran.
    const kept = {
      ...(prior.revision !== undefined ? { revision: prior.revision } : {}),
      ...(prior.succeededAt !== undefined ? { succeededAt: prior.succeededAt } : {}),
    };
    return {
      status: { ...base, ...kept, phase, message: read.message },
      read,
      atRelease: false,
      done: false,
      failed: false,
    };
  }
  const atRelease = read.identity === releaseId && read.revision !== undefined;
  const done =
    atRelease &&
    read.revision === read.promotedRevision &&
    (read.phase === 'Succeeded' || read.phase === 'Initialized');
  const failed = atRelease && read.phase === 'Failed';
  const sameRevision = prior.revision === read.revision;
  const succeededAt = done ? (sameRevision && prior.succeededAt ? prior.succeededAt : now) : undefined;
  const syncing = !atRelease;
  const message = syncing
    ? read.targetIdentity !== undefined && read.targetIdentity !== read.identity
      ? `its Canary has not yet picked up ${read.targetIdentity}`
      : `runs ${read.identity ?? 'an unknown release'}, not ${releaseId}`
    : !read.gated && !done && !failed
      ? 'its Canary has no manual confirm-rollout gate: the hub cannot hold it'
      : read.message;
  return {
    status: {
      ...base,
      phase: syncing ? 'Syncing' : (read.phase ?? 'Initializing'),
      ...(read.weight !== undefined ? { weight: read.weight } : {}),
      ...(read.revision !== undefined ? { revision: read.revision } : {}),
      ...(succeededAt ? { succeededAt } : {}),
      ...(read.failedCheck ? { lastFailedCheck: read.failedCheck } : {}),
      ...(message ? { message } : {}),
    },
    read,
    atRelease,
    done,
    failed,
  };
}

export function plan(input: PlanInput): Plan {
  const { spec, members, uid } = input;
  const now = input.now.toISOString();
  const events: FleetEvent[] = [];
  const byName = new Map(members.map((m) => [m.name, m]));
  const assigned = members.map((m) => ({ m, wave: waveOf(spec.waves, input.waveSelectors, m.labels) }));
  const unassigned = assigned.filter((a) => !a.wave).map((a) => a.m.name);

  let status: FleetCanaryStatus = input.status;
  const started = nextRelease(members, status.release ? status : undefined);
  if (started !== undefined) {
    // The clusters of a release are fixed when it starts; one added later joins the next release.
    status = {
      release: { id: started, startedAt: now },
      clusters: assigned
        .filter((a) => a.wave)
        .map((a) => ({
          name: a.m.name,
          wave: a.wave!.name,
          phase: 'Syncing' as const,
          ...(a.m.read.kind === 'canary' && a.m.read.revision !== undefined
            ? { startRevision: a.m.read.revision }
            : {}),
        })),
    };
    events.push({ type: 'Normal', reason: 'ReleaseStarted', message: `release ${started} started` });
  }
  const release = status.release;
  if (!release) {
    return {
      status: {
        phase: 'Idle',
        ...(unassigned.length ? { unassigned } : {}),
        message: 'no release yet: no member cluster analyses a new revision',
      },
      commands: [],
      events,
    };
  }

  // A wave renamed or removed mid-release: its clusters move to the wave their labels select now,
  // or leave the release when none does (the user took them out), never silently out of every wave.
  const waveNames = new Set(spec.waves.map((w) => w.name));
  const rehomed = (status.clusters ?? []).flatMap((c) => {
    if (waveNames.has(c.wave)) return [c];
    const member = byName.get(c.name);
    const wave = member && waveOf(spec.waves, input.waveSelectors, member.labels);
    return wave ? [{ ...c, wave: wave.name }] : [];
  });
  const views = rehomed.map((c) => observeCluster(c, byName.get(c.name), release.id, now));
  let halted = status.halted;
  const commands: MemberCommand[] = [];
  const waves: NonNullable<FleetCanaryStatus['waves']> = [];
  let nextAt: Date | undefined;
  let blocked = false;
  let current: string | undefined;

  for (const wave of spec.waves) {
    const inWave = views.filter((v) => v.status.wave === wave.name);
    const promotedAt = latest(inWave.map((v) => v.status.succeededAt));
    let phase: WavePhase;
    if (blocked) phase = 'Pending';
    else {
      const failures = inWave.filter((v) => v.failed);
      if (halted?.wave === wave.name || failures.length > (wave.maxFailures ?? 0)) {
        phase = 'Halted';
        if (!halted) {
          const first = failures[0]!;
          const check = first.status.lastFailedCheck;
          halted = {
            cluster: first.status.name,
            wave: wave.name,
            ...(check ? { check: check.name } : {}),
            message:
              `${first.status.name} rolled back ${release.id}` +
              (check ? ` (check ${check.name}${check.message ? `: ${check.message}` : ''})` : ''),
            time: now,
          };
          events.push({ type: 'Warning', reason: 'Halted', message: `wave ${wave.name}: ${halted.message}` });
        }
        if (spec.abortOnHalt) commands.push(...abortInFlight(inWave, uid, events));
      } else if (inWave.every((v) => v.done)) {
        const soakEnds = promotedAt
          ? new Date(Date.parse(promotedAt) + durationMs(wave.soakTime ?? '0s')!)
          : input.now;
        if (soakEnds > input.now) {
          phase = 'Soaking';
          nextAt = soakEnds;
        } else phase = 'Succeeded';
      } else {
        phase = 'Progressing';
        if (!spec.suspend) approve(inWave, wave, now, events);
      }
      if (phase !== 'Succeeded') {
        blocked = true;
        current = wave.name;
      }
    }
    waves.push({ name: wave.name, phase, clusters: inWave.length, ...(promotedAt ? { promotedAt } : {}) });
  }

  // Approvals recorded in status (this pass or an earlier one) whose gate may not be open yet. A
  // halt closes them too: a gate not yet opened when the release halted stays closed.
  for (const v of halted ? [] : views) {
    const r = v.read;
    if (r?.kind !== 'canary' || !v.atRelease || r.revision === undefined) continue;
    if (v.status.abortedRevision === r.revision) continue;
    if (v.status.approvedRevision !== r.revision || r.phase !== 'Waiting') continue;
    const cmd = memberCommand(uid, v.status.name, 'promote', r.revision);
    if (r.command !== cmd.text) commands.push(cmd);
  }

  const prior = input.status.release?.id === release.id ? input.status : undefined;
  let phase: FleetPhase;
  if (halted) phase = 'Halted';
  else if (waves.every((w) => w.phase === 'Succeeded')) phase = 'Succeeded';
  else phase = 'Progressing';
  const finishedAt = phase === 'Succeeded' ? (prior?.release?.finishedAt ?? now) : undefined;
  if (phase === 'Succeeded' && !prior?.release?.finishedAt) {
    events.push({
      type: 'Normal',
      reason: 'Succeeded',
      message: `release ${release.id} promoted in every cluster`,
    });
  }
  for (const w of waves) {
    const before = prior?.waves?.find((p) => p.name === w.name)?.phase;
    if (w.phase === 'Progressing' && before !== 'Progressing') {
      events.push({
        type: 'Normal',
        reason: 'WaveStarted',
        message: `wave ${w.name} started (${w.clusters} clusters)`,
      });
    }
    if (w.phase === 'Succeeded' && before !== 'Succeeded' && w.clusters > 0) {
      events.push({ type: 'Normal', reason: 'WaveSucceeded', message: `wave ${w.name} promoted and soaked` });
    }
  }

  return {
    status: {
      phase,
      release: { ...release, ...(finishedAt ? { finishedAt } : {}) },
      waves,
      clusters: views.map((v) => v.status),
      ...(unassigned.length ? { unassigned } : {}),
      ...(halted ? { halted } : {}),
      message: verdictMessage(phase, release.id, halted, current, views),
    },
    commands,
    events,
    ...(nextAt ? { nextAt } : {}),
  };
}

/** Opens gates in the wave up to maxParallel: records the approval in the cluster's status. */
function approve(inWave: ClusterView[], wave: FleetWave, now: string, events: FleetEvent[]): void {
  const inFlight = inWave.filter(
    (v) =>
      !v.done &&
      !v.failed &&
      v.atRelease &&
      v.read?.kind === 'canary' &&
      (v.status.approvedRevision === v.read.revision || (!v.read.gated && v.read.phase !== 'Waiting')),
  ).length;
  let budget = (wave.maxParallel ?? inWave.length) - inFlight;
  for (const v of inWave) {
    if (budget <= 0) break;
    const r = v.read;
    if (r?.kind !== 'canary' || !v.atRelease || v.done || v.failed || !r.gated) continue;
    if (r.phase !== 'Waiting' || r.revision === undefined || v.status.approvedRevision === r.revision)
      continue;
    v.status.approvedRevision = r.revision;
    v.status.approvedAt = now;
    budget--;
    events.push({
      type: 'Normal',
      reason: 'GateOpened',
      message: `wave ${wave.name}: opened ${v.status.name}'s gate for revision ${r.revision}`,
    });
  }
}

/** Aborts the wave's approved canaries still in analysis (spec.abortOnHalt), once per revision. */
function abortInFlight(inWave: ClusterView[], uid: string, events: FleetEvent[]): MemberCommand[] {
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
    const cmd = memberCommand(uid, v.status.name, 'abort', r.revision);
    if (r.command !== cmd.text) out.push(cmd);
  }
  return out;
}

function latest(times: readonly (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const t of times)
    if (t !== undefined && (best === undefined || Date.parse(t) > Date.parse(best))) best = t;
  return best;
}

function verdictMessage(
  phase: FleetPhase,
  releaseId: string,
  halted: FleetCanaryStatus['halted'],
  wave: string | undefined,
  views: readonly ClusterView[],
): string {
  if (phase === 'Halted' && halted) return `halted in wave ${halted.wave}: ${halted.message}`;
  if (phase === 'Succeeded') return `${releaseId} promoted in ${views.length} clusters`;
  const inWave = views.filter((v) => v.status.wave === wave);
  const promoted = inWave.filter((v) => v.done).length;
  const unreachable = views.filter((v) => v.status.phase === 'Unreachable').map((v) => v.status.name);
  return (
    `wave ${wave}: ${promoted}/${inWave.length} promoted` +
    (unreachable.length ? `; unreachable: ${unreachable.join(', ')}` : '')
  );
}
