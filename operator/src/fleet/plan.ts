// The fleet controller's decision, pure: from the FleetCanary's spec, its persisted status and what
// the hub just read from every member cluster, the next status and the commands to send. The
// reconciler persists the status first and only then sends what it derives (docs/fleet.md): an
// approval is on record before any gate opens, and a command's text depends only on the fleet,
// the cluster, the release and the revision, so sending it again after a crash is the same command.
import type { FleetCanarySpec, FleetCanaryStatus, FleetPhase, FleetWave, WavePhase } from '../api/index.ts';
import { durationMs } from '../api/index.ts';
import { matchesSelector, type Requirement } from '../kube/label-selector.ts';
import { observeCluster, type ClusterView } from './cluster-view.ts';
import { abortInFlight, approve, pendingPromotes, type FleetEvent, type MemberCommand } from './gates.ts';
import type { Member } from './member-read.ts';

export type { Member, MemberRead } from './member-read.ts';
export { memberCommand, type FleetEvent, type MemberCommand } from './gates.ts';

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

export interface Plan {
  status: FleetCanaryStatus;
  commands: MemberCommand[];
  events: FleetEvent[];
  /** When the plan changes by time alone (a soak ends, a refused gate is asked again), if it does. */
  nextAt?: Date;
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
 * changed since the hub first read it in this release can start the next one: a cluster still
 * waiting at the previous release (its GitOps agent has not synced yet, or it was unreachable when
 * the release started) must not pull the fleet back to it. When members disagree, the one most of
 * them show wins, then the lowest by name, so the choice does not depend on read order.
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
      const start = inRelease.get(m.name)?.startRevision;
      if (start === undefined || start === r.revision) continue;
    }
    counts.set(r.identity, (counts.get(r.identity) ?? 0) + 1);
  }
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return ranked[0]?.[0];
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

  // A cluster leaves the release when its Secret is deleted or no longer selected (an unreachable
  // cluster stays: it is not passed). A wave renamed or removed mid-release: its clusters move to
  // the wave their labels select now, or leave when none does.
  const waveNames = new Set(spec.waves.map((w) => w.name));
  const views: ClusterView[] = [];
  for (const c of status.clusters ?? []) {
    const member = byName.get(c.name);
    const wave =
      member &&
      (waveNames.has(c.wave) ? c.wave : waveOf(spec.waves, input.waveSelectors, member.labels)?.name);
    if (!member || !wave) {
      events.push({ type: 'Normal', reason: 'ClusterLeft', message: `${c.name} left release ${release.id}` });
      continue;
    }
    views.push(observeCluster({ ...c, wave }, member, release.id, now));
  }
  let halted = status.halted;
  const commands: MemberCommand[] = [];
  const waves: NonNullable<FleetCanaryStatus['waves']> = [];
  let nextAt: Date | undefined;
  let current: string | undefined;

  for (const wave of spec.waves) {
    const inWave = views.filter((v) => v.status.wave === wave.name);
    const promotedAt = latest(inWave.map((v) => v.status.succeededAt));
    let phase: WavePhase;
    if (current !== undefined) phase = 'Pending';
    else {
      const failures = inWave.filter((v) => v.failed);
      if (halted?.wave === wave.name || failures.length > (wave.maxFailures ?? 0)) {
        phase = 'Halted';
        if (!halted) {
          halted = haltOf(failures[0]!, wave, release.id, now);
          events.push({ type: 'Warning', reason: 'Halted', message: `wave ${wave.name}: ${halted.message}` });
        }
        if (spec.abortOnHalt) commands.push(...abortInFlight(inWave, uid, release.startedAt, events));
      } else if (inWave.every((v) => v.done)) {
        const soakEnds = new Date(Date.parse(promotedAt ?? now) + durationMs(wave.soakTime ?? '0s')!);
        if (soakEnds > input.now) {
          phase = 'Soaking';
          nextAt = soakEnds;
        } else phase = 'Succeeded';
      } else {
        phase = 'Progressing';
        if (!spec.suspend) approve(inWave, wave, now, events);
      }
      if (phase !== 'Succeeded') current = wave.name;
    }
    waves.push({ name: wave.name, phase, clusters: inWave.length, ...(promotedAt ? { promotedAt } : {}) });
  }
  // A halt closes every gate not yet opened, approved or not.
  if (!halted) commands.push(...pendingPromotes(views, uid, release.startedAt, input.now));
  if (commands.length === 0 && views.some((v) => v.status.message?.startsWith('its Canary refused'))) {
    nextAt = earliest(nextAt, new Date(input.now.getTime() + 5_000));
  }

  const prior = input.status.release?.id === release.id ? input.status : undefined;
  const phase: FleetPhase = halted
    ? 'Halted'
    : waves.every((w) => w.phase === 'Succeeded')
      ? 'Succeeded'
      : 'Progressing';
  const finishedAt = phase === 'Succeeded' ? (prior?.release?.finishedAt ?? now) : undefined;
  events.push(...transitions(prior, waves, phase, release.id));

  return {
    status: {
      phase,
      // Built anew: a release that goes on after it finished (a new revision of it) has no finishedAt.
      release: { id: release.id, startedAt: release.startedAt, ...(finishedAt ? { finishedAt } : {}) },
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

function haltOf(
  first: ClusterView,
  wave: FleetWave,
  releaseId: string,
  now: string,
): NonNullable<FleetCanaryStatus['halted']> {
  const check = first.status.lastFailedCheck;
  return {
    cluster: first.status.name,
    wave: wave.name,
    ...(check ? { check: check.name } : {}),
    message:
      `${first.status.name} rolled back ${releaseId}` +
      (check ? ` (check ${check.name}${check.message ? `: ${check.message}` : ''})` : ''),
    time: now,
  };
}

/** Events for what changed since the stored status of the same release. */
function transitions(
  prior: FleetCanaryStatus | undefined,
  waves: NonNullable<FleetCanaryStatus['waves']>,
  phase: FleetPhase,
  releaseId: string,
): FleetEvent[] {
  const out: FleetEvent[] = [];
  for (const w of waves) {
    const before = prior?.waves?.find((p) => p.name === w.name)?.phase;
    if (w.phase === 'Progressing' && before !== 'Progressing') {
      out.push({
        type: 'Normal',
        reason: 'WaveStarted',
        message: `wave ${w.name} started (${w.clusters} clusters)`,
      });
    }
    if (w.phase === 'Succeeded' && before !== 'Succeeded' && w.clusters > 0) {
      out.push({ type: 'Normal', reason: 'WaveSucceeded', message: `wave ${w.name} promoted and soaked` });
    }
  }
  if (phase === 'Succeeded' && prior?.phase !== 'Succeeded') {
    out.push({
      type: 'Normal',
      reason: 'Succeeded',
      message: `release ${releaseId} promoted in every cluster`,
    });
  }
  return out;
}

function latest(times: readonly (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const t of times)
    if (t !== undefined && (best === undefined || Date.parse(t) > Date.parse(best))) best = t;
  return best;
}

const earliest = (a: Date | undefined, b: Date) => (a && a < b ? a : b);

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
