// Pure rendering of a FleetCanary for `fledge fleet status`: the wave-by-cluster grid of one
// release, its verdict and why. No I/O, no clock (`now` is passed in).
import type { FleetCanaryStatus, FleetPhase, MemberPhase, WavePhase } from '../api/index.ts';
import { age, visibleLength, type Colors } from './render.ts';

export interface FleetView {
  metadata: { name?: string; namespace?: string };
  status?: FleetCanaryStatus;
}

function verdictColor(
  c: Colors,
  phase: FleetPhase | WavePhase | MemberPhase | undefined,
): (s: string) => string {
  switch (phase) {
    case 'Succeeded':
    case 'Initialized':
      return c.green;
    case 'Halted':
    case 'Failed':
    case 'Unreachable':
    case 'Missing':
    case 'Invalid':
      return c.red;
    case 'Progressing':
    case 'Promoting':
    case 'Finalising':
    case 'Soaking':
      return c.cyan;
    case 'Waiting':
    case 'WaitingPromotion':
    case 'Syncing':
      return c.yellow;
    default:
      return (s) => s;
  }
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - visibleLength(s)));

/**
 * One frame:
 *   hub/web  Progressing  release app=example/web:3  started 2m
 *   wave first  Succeeded  1 cluster  promoted 40s ago
 *     m1  Succeeded
 *   wave rest   Progressing  1 cluster
 *     m2  Progressing  weight 40  gate opened 5s ago
 *   message  wave rest: 0/1 promoted
 */
export function renderFleet(v: FleetView, o: { now: Date; colors: Colors }): string[] {
  const c = o.colors;
  const s = v.status ?? {};
  const name = `${v.metadata.namespace ?? ''}/${v.metadata.name ?? ''}`;
  const lines = [
    `${c.bold(name)}  ${verdictColor(c, s.phase)(s.phase ?? 'no status yet')}${
      s.release ? `  release ${s.release.id}  ${c.dim(`started ${age(s.release.startedAt, o.now)} ago`)}` : ''
    }`,
  ];
  const clusters = s.clusters ?? [];
  const nameWidth = Math.max(0, ...clusters.map((k) => k.name.length));
  const waveWidth = Math.max(0, ...(s.waves ?? []).map((w) => w.name.length));
  for (const w of s.waves ?? []) {
    lines.push(
      `${c.dim('wave')} ${pad(w.name, waveWidth)}  ${verdictColor(c, w.phase)(pad(w.phase, 11))}  ${w.clusters} cluster${
        w.clusters === 1 ? '' : 's'
      }${w.promotedAt ? c.dim(`  promoted ${age(w.promotedAt, o.now)} ago`) : ''}`,
    );
    for (const k of clusters.filter((x) => x.wave === w.name)) {
      const gate =
        k.approvedRevision !== undefined && k.approvedRevision === k.revision && k.approvedAt
          ? c.dim(`  gate opened ${age(k.approvedAt, o.now)} ago`)
          : '';
      const check = k.lastFailedCheck ? c.red(`  failed ${k.lastFailedCheck.name}`) : '';
      const weight = k.weight ? `  weight ${k.weight}` : '';
      const note =
        k.message && !['Succeeded', 'Initialized'].includes(k.phase) ? c.dim(`  ${k.message}`) : '';
      lines.push(
        `  ${pad(k.name, nameWidth)}  ${verdictColor(c, k.phase)(k.phase)}${weight}${gate}${check}${note}`,
      );
    }
  }
  if (s.unassigned?.length) lines.push(`${c.dim('no wave')}  ${s.unassigned.join(', ')}`);
  const unreachable = (s.conditions ?? []).find((k) => k.type === 'MembersReachable' && k.status === 'False');
  if (unreachable) lines.push(`${c.red('unread')}   ${unreachable.message}`);
  if (s.message) lines.push(`${c.dim('message')}  ${s.message}`);
  return lines;
}

/** Verdicts that end `fleet status --watch`. */
export function fleetOutcome(phase: FleetPhase | undefined): 'succeeded' | 'halted' | undefined {
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Halted') return 'halted';
  return undefined;
}
