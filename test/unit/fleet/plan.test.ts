import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanaryPhase, FleetCanarySpec, FleetCanaryStatus } from '../../../operator/src/api/index.ts';
import { commandId } from '../../../operator/src/api/index.ts';
import { parseSelector } from '../../../operator/src/kube/label-selector.ts';
import {
  memberCommand,
  plan,
  type Member,
  type MemberRead,
  type Plan,
} from '../../../operator/src/fleet/plan.ts';

const UID = 'fleet-uid';
const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

const spec = (over: Partial<FleetCanarySpec> = {}): FleetCanarySpec => ({
  canaryRef: { namespace: 'prod', name: 'web' },
  clusters: 'fledge.dev/fleet=prod',
  waves: [
    { name: 'canary', clusters: 'wave=1', soakTime: '60s' },
    { name: 'rest', clusters: '' },
  ],
  ...over,
});

interface MemberState {
  phase: CanaryPhase;
  identity: string;
  revision: string;
  promoted: string;
  command?: string;
  gated?: boolean;
  failedCheck?: { name: string; message?: string };
}

const canary = (s: MemberState): MemberRead => ({
  kind: 'canary',
  phase: s.phase,
  weight: 0,
  revision: s.revision,
  promotedRevision: s.promoted,
  identity: s.identity,
  gated: s.gated ?? true,
  failedCheck: s.failedCheck,
  command: s.command,
});
const member = (name: string, wave: string, read: MemberRead): Member => ({
  name,
  labels: { 'fledge.dev/fleet': 'prod', wave },
  read,
});
/** A member whose Canary waits at its gate with release v2 (revision r2-<name>: overlays differ). */
const waiting = (name: string, wave: string, command?: string) =>
  member(
    name,
    wave,
    canary({
      phase: 'Waiting',
      identity: 'app=web:2',
      revision: `r2-${name}`,
      promoted: `r1-${name}`,
      ...(command ? { command } : {}),
    }),
  );
const succeeded = (name: string, wave: string) =>
  member(
    name,
    wave,
    canary({ phase: 'Succeeded', identity: 'app=web:2', revision: `r2-${name}`, promoted: `r2-${name}` }),
  );
const run = (s: FleetCanarySpec, status: FleetCanaryStatus, members: Member[], t = 0): Plan =>
  plan({
    spec: s,
    waveSelectors: s.waves.map((w) => parseSelector(w.clusters)),
    status,
    members,
    uid: UID,
    now: at(t),
  });
/** The release every test starts at t = 0. */
const R0 = at(0).toISOString();
const promote = (cluster: string) => memberCommand(UID, cluster, 'promote', `r2-${cluster}`, R0);

describe('fleet plan', () => {
  it('is Idle while every member runs what it promoted', () => {
    const p = run(spec(), {}, [
      member('a', '1', canary({ phase: 'Succeeded', identity: 'app=web:1', revision: 'r1', promoted: 'r1' })),
    ]);
    expect(p.status.phase).toBe('Idle');
    expect(p.commands).toEqual([]);
  });

  it('starts a release, fixes its clusters, and opens only the first wave', () => {
    const p = run(spec(), {}, [waiting('a', '1'), waiting('b', '2'), waiting('c', '2')]);
    expect(p.status.release?.id).toBe('app=web:2');
    expect(p.status.clusters?.map((c) => [c.name, c.wave])).toEqual([
      ['a', 'canary'],
      ['b', 'rest'],
      ['c', 'rest'],
    ]);
    expect(p.status.waves?.map((w) => w.phase)).toEqual(['Progressing', 'Pending']);
    expect(p.commands).toEqual([promote('a')]);
    expect(p.status.clusters?.[0]?.approvedRevision).toBe('r2-a');
    expect(p.events.map((e) => e.reason)).toEqual(['ReleaseStarted', 'GateOpened', 'WaveStarted']);
  });

  it('sends a persisted approval again until the member carries it, with the same text', () => {
    const first = run(spec(), {}, [waiting('a', '1')]);
    // The hub crashed after persisting: the annotation was never written.
    const again = run(spec(), first.status, [waiting('a', '1')], 1);
    expect(again.commands).toEqual(first.commands);
    expect(again.events.map((e) => e.reason)).not.toContain('GateOpened');
    // Written: nothing more to send.
    const written = run(spec(), again.status, [waiting('a', '1', promote('a').text)], 2);
    expect(written.commands).toEqual([]);
  });

  it('keeps maxParallel gates open at once', () => {
    const s = spec({ waves: [{ name: 'all', clusters: '', maxParallel: 2 }] });
    const ms = ['a', 'b', 'c'].map((n) => waiting(n, '1'));
    const p = run(s, {}, ms);
    expect(p.commands.map((c) => c.cluster)).toEqual(['a', 'b']);
    const inFlight = [
      member(
        'a',
        '1',
        canary({ phase: 'Progressing', identity: 'app=web:2', revision: 'r2-a', promoted: 'r1-a' }),
      ),
      waiting('b', '1', promote('b').text),
      waiting('c', '1'),
    ];
    expect(run(s, p.status, inFlight, 1).commands).toEqual([]);
    const oneDone = [succeeded('a', '1'), inFlight[1]!, inFlight[2]!];
    expect(run(s, p.status, oneDone, 2).commands).toEqual([promote('c')]);
  });

  it('soaks after the last promotion of a wave, then opens the next', () => {
    const s1 = run(spec(), {}, [waiting('a', '1'), waiting('b', '2')]);
    const done = [succeeded('a', '1'), waiting('b', '2')];
    const soaking = run(spec(), s1.status, done, 10);
    expect(soaking.status.waves?.map((w) => w.phase)).toEqual(['Soaking', 'Pending']);
    expect(soaking.nextAt).toEqual(at(70));
    expect(soaking.commands).toEqual([]);
    expect(run(spec(), soaking.status, done, 69).commands).toEqual([]);
    const open = run(spec(), soaking.status, done, 70);
    expect(open.status.waves?.map((w) => w.phase)).toEqual(['Succeeded', 'Progressing']);
    expect(open.commands).toEqual([promote('b')]);
    const all = run(spec(), open.status, [succeeded('a', '1'), succeeded('b', '2')], 80);
    expect(all.status.phase).toBe('Succeeded');
    expect(all.status.release?.finishedAt).toBe(at(80).toISOString());
    expect(all.events.map((e) => e.reason)).toContain('Succeeded');
  });

  it('halts on a rollback, naming the cluster and the check; later waves stay closed', () => {
    const s1 = run(spec(), {}, [waiting('a', '1'), waiting('b', '2')]);
    const failed = member(
      'a',
      '1',
      canary({
        phase: 'Failed',
        identity: 'app=web:2',
        revision: 'r2-a',
        promoted: 'r1-a',
        failedCheck: { name: 'success-rate', message: '50 < 95' },
      }),
    );
    const h = run(spec(), s1.status, [failed, waiting('b', '2')], 5);
    expect(h.status.phase).toBe('Halted');
    expect(h.status.halted).toMatchObject({ cluster: 'a', wave: 'canary', check: 'success-rate' });
    expect(h.status.message).toMatch(/a rolled back app=web:2 \(check success-rate: 50 < 95\)/);
    expect(h.commands).toEqual([]);
    // It stays halted, even once the failed cluster is retried by hand and promotes.
    const later = run(spec(), h.status, [succeeded('a', '1'), waiting('b', '2')], 500);
    expect(later.status.phase).toBe('Halted');
    expect(later.commands).toEqual([]);
  });

  it('aborts the halted wave’s canaries still in analysis when abortOnHalt is set', () => {
    const s = spec({ abortOnHalt: true, waves: [{ name: 'all', clusters: '', maxFailures: 0 }] });
    const s1 = run(s, {}, [waiting('a', '1'), waiting('b', '1')]);
    const ms = [
      member(
        'a',
        '1',
        canary({ phase: 'Failed', identity: 'app=web:2', revision: 'r2-a', promoted: 'r1-a' }),
      ),
      member(
        'b',
        '1',
        canary({ phase: 'Progressing', identity: 'app=web:2', revision: 'r2-b', promoted: 'r1-b' }),
      ),
    ];
    const h = run(s, s1.status, ms, 5);
    expect(h.commands).toEqual([memberCommand(UID, 'b', 'abort', 'r2-b', R0)]);
    // A cluster the hub never let in stays at its gate: not aborted.
    const s2 = spec({ abortOnHalt: true, waves: [{ name: 'all', clusters: '', maxParallel: 1 }] });
    const first = run(s2, {}, [waiting('a', '1'), waiting('c', '1')]);
    const failedA = member(
      'a',
      '1',
      canary({ phase: 'Failed', identity: 'app=web:2', revision: 'r2-a', promoted: 'r1-a' }),
    );
    expect(run(s2, first.status, [failedA, waiting('c', '1')], 5).commands).toEqual([]);
    expect(h.status.clusters?.find((c) => c.name === 'b')?.abortedRevision).toBe('r2-b');
  });

  it('tolerates maxFailures rollbacks in a wave', () => {
    const s = spec({ waves: [{ name: 'all', clusters: '', maxFailures: 1 }] });
    const s1 = run(s, {}, [waiting('a', '1'), waiting('b', '1')]);
    const ms = [
      member(
        'a',
        '1',
        canary({ phase: 'Failed', identity: 'app=web:2', revision: 'r2-a', promoted: 'r1-a' }),
      ),
      succeeded('b', '1'),
    ];
    expect(run(s, s1.status, ms, 5).status.phase).toBe('Progressing');
  });

  it('never counts an unreachable member as passed', () => {
    const s1 = run(spec(), {}, [waiting('a', '1'), waiting('b', '2')]);
    const gone = member('a', '1', { kind: 'unreachable', message: 'connect ECONNREFUSED' });
    const p = run(spec(), s1.status, [gone, waiting('b', '2')], 500);
    expect(p.status.waves?.map((w) => w.phase)).toEqual(['Progressing', 'Pending']);
    expect(p.status.clusters?.[0]).toMatchObject({ phase: 'Unreachable', message: 'connect ECONNREFUSED' });
    expect(p.status.message).toMatch(/unreachable: a/);
    expect(p.commands).toEqual([]);
  });

  it('keeps a release’s clusters fixed: one added later joins the next release', () => {
    const s1 = run(spec(), {}, [waiting('a', '1')]);
    const later = [succeeded('a', '1'), waiting('z', '2')];
    const soaked = run(spec(), s1.status, later, 100);
    const p = run(spec(), soaked.status, later, 200);
    expect(p.status.clusters?.map((c) => c.name)).toEqual(['a']);
    expect(p.status.phase).toBe('Succeeded');
    expect(p.commands).toEqual([]);
  });

  it('reports members no wave selects', () => {
    const s = spec({ waves: [{ name: 'one', clusters: 'wave=1' }] });
    const p = run(s, {}, [waiting('a', '1'), waiting('x', '9')]);
    expect(p.status.unassigned).toEqual(['x']);
    expect(p.status.clusters?.map((c) => c.name)).toEqual(['a']);
  });

  it('opens a gate again for a new revision of the same release, never for a stale one', () => {
    const s1 = run(spec(), {}, [waiting('a', '1')]);
    // The member's overlay changed under the same images: a new revision, unapproved.
    const moved = member(
      'a',
      '1',
      canary({ phase: 'Waiting', identity: 'app=web:2', revision: 'r3-a', promoted: 'r1-a' }),
    );
    const p = run(spec(), s1.status, [moved], 1);
    expect(p.commands).toEqual([memberCommand(UID, 'a', 'promote', 'r3-a', R0)]);
  });

  it('starts the newer release when GitOps moves on mid-release', () => {
    const s1 = run(spec(), {}, [waiting('a', '1'), waiting('b', '2')]);
    const v3 = member(
      'a',
      '1',
      canary({ phase: 'Waiting', identity: 'app=web:3', revision: 'r3-a', promoted: 'r1-a' }),
    );
    const p = run(spec(), s1.status, [v3, waiting('b', '2')], 5);
    expect(p.status.release?.id).toBe('app=web:3');
    expect(p.commands).toEqual([memberCommand(UID, 'a', 'promote', 'r3-a', at(5).toISOString())]);
    expect(p.status.clusters?.find((c) => c.name === 'b')?.phase).toBe('Syncing');
    // b has not synced yet: still waiting at web:2, it must not pull the fleet back to web:2.
    const again = run(spec(), p.status, [v3, waiting('b', '2')], 6);
    expect(again.status.release?.id).toBe('app=web:3');
    expect(again.events.map((e) => e.reason)).not.toContain('ReleaseStarted');
    // A revert in Git to web:2 is a new release again: a's revision changes from where web:3 began.
    const reverted = member(
      'a',
      '1',
      canary({ phase: 'Waiting', identity: 'app=web:2', revision: 'r2-a', promoted: 'r1-a' }),
    );
    expect(run(spec(), again.status, [reverted, waiting('b', '2')], 7).status.release?.id).toBe('app=web:2');
  });

  it('moves the clusters of a wave renamed mid-release to the wave that selects them now', () => {
    const s1 = run(spec(), {}, [waiting('a', '1'), waiting('b', '2')]);
    const renamed = spec({
      waves: [
        { name: 'pilot', clusters: 'wave=1' },
        { name: 'rest', clusters: '' },
      ],
    });
    const p = run(renamed, s1.status, [waiting('a', '1', promote('a').text), waiting('b', '2')], 5);
    expect(p.status.clusters?.map((c) => [c.name, c.wave])).toEqual([
      ['a', 'pilot'],
      ['b', 'rest'],
    ]);
    expect(p.status.phase).toBe('Progressing');
    // A wave whose selector no longer takes the cluster: it leaves the release.
    const narrowed = spec({ waves: [{ name: 'only', clusters: 'wave=2' }] });
    const q = run(narrowed, s1.status, [waiting('a', '1', promote('a').text), waiting('b', '2')], 6);
    expect(q.status.clusters?.map((c) => c.name)).toEqual(['b']);
  });

  it('counts a cluster whose target went back to the release (Failed, primary on it) as promoted', () => {
    // x rolled B back and the fleet halted; Git reverts to P, which y (promoted B) now analyses.
    const at1 = (name: string, phase: CanaryPhase, revision: string, promoted: string, identity: string) =>
      member(name, name === 'x' ? '1' : '2', canary({ phase, identity, revision, promoted }));
    const b = run(spec(), {}, [at1('x', 'Waiting', 'bx', 'px', 'B'), at1('y', 'Waiting', 'by', 'py', 'B')]);
    const p = run(
      spec(),
      b.status,
      [at1('x', 'Failed', 'px', 'px', 'P'), at1('y', 'Waiting', 'py2', 'by', 'P')],
      5,
    );
    expect(p.status.release?.id).toBe('P');
    expect(p.status.phase).not.toBe('Halted');
    expect(p.status.clusters?.find((c) => c.name === 'x')?.succeededAt).toBeDefined();
  });

  it('lets no cluster unreadable when the release started pull the fleet back to the previous one', () => {
    const s1 = run(spec(), {}, [waiting('a', '1'), waiting('lag', '2')]);
    const v3 = member(
      'a',
      '1',
      canary({ phase: 'Waiting', identity: 'app=web:3', revision: 'r3-a', promoted: 'r1-a' }),
    );
    const down = member('lag', '2', { kind: 'unreachable', message: 'timeout' });
    const p = run(spec(), s1.status, [v3, down], 5);
    expect(p.status.release?.id).toBe('app=web:3');
    // lag is back, still waiting at web:2.
    const q = run(spec(), p.status, [v3, waiting('lag', '2')], 6);
    expect(q.status.release?.id).toBe('app=web:3');
    expect(q.commands.map((c) => c.cluster)).toEqual(['a']);
  });

  it('keeps maxParallel while a cluster let in turns unreadable or shows another revision', () => {
    const s = spec({ waves: [{ name: 'all', clusters: '', maxParallel: 1 }] });
    const p = run(s, {}, [waiting('a', '1'), waiting('b', '1')]);
    expect(p.commands.map((c) => c.cluster)).toEqual(['a']);
    const gone = member('a', '1', { kind: 'unreachable', message: 'timeout' });
    expect(run(s, p.status, [gone, waiting('b', '1')], 1).commands).toEqual([]);
    const syncing = member(
      'a',
      '1',
      canary({ phase: 'Progressing', identity: 'app=web:1', revision: 'rx', promoted: 'r1-a' }),
    );
    expect(run(s, p.status, [syncing, waiting('b', '1')], 2).commands).toEqual([]);
  });

  it('shows a gate opening the member refused, and asks again after a while as a new command', () => {
    const p = run(spec(), {}, [waiting('a', '1')]);
    const refused = member('a', '1', {
      ...(canary({
        phase: 'Waiting',
        identity: 'app=web:2',
        revision: 'r2-a',
        promoted: 'r1-a',
        command: promote('a').text,
      }) as Extract<MemberRead, { kind: 'canary' }>),
      lastCommand: {
        id: commandId(promote('a').text),
        accepted: false,
        message: 'suspended',
        time: at(1).toISOString(),
      },
    });
    const soon = run(spec(), p.status, [refused], 10);
    expect(soon.commands).toEqual([]);
    expect(soon.status.clusters?.[0]?.message).toBe('its Canary refused the gate opening: suspended');
    const later = run(spec(), soon.status, [refused], 40);
    expect(later.commands).toEqual([memberCommand(UID, 'a', 'promote', 'r2-a', R0, 1)]);
    expect(later.status.clusters?.[0]?.attempt).toBe(1);
  });

  it('drops finishedAt when a finished release goes on, and a cluster whose Secret is gone leaves it', () => {
    const s = spec({ waves: [{ name: 'all', clusters: '' }] });
    const p = run(s, {}, [waiting('a', '1'), waiting('b', '1')]);
    const done = run(s, p.status, [succeeded('a', '1'), succeeded('b', '1')], 5);
    expect(done.status.release?.finishedAt).toBe(at(5).toISOString());
    // b's overlay changed under the same images: a new revision of the same release.
    const more = member(
      'b',
      '1',
      canary({ phase: 'Waiting', identity: 'app=web:2', revision: 'r2b-2', promoted: 'r2-b' }),
    );
    const again = run(s, done.status, [succeeded('a', '1'), more], 6);
    expect(again.status.phase).toBe('Progressing');
    expect(again.status.release).toEqual({ id: 'app=web:2', startedAt: R0 });
    // b's Secret deleted: b leaves, a alone decides.
    const left = run(s, again.status, [succeeded('a', '1')], 7);
    expect(left.status.clusters?.map((c) => c.name)).toEqual(['a']);
    expect(left.status.phase).toBe('Succeeded');
    expect(left.events.map((e) => e.reason)).toContain('ClusterLeft');
  });

  it('opens nothing while suspended', () => {
    expect(run(spec({ suspend: true }), {}, [waiting('a', '1')]).commands).toEqual([]);
  });
});

// A simulated fleet run through the planner with the hub crashing at random points (after the
// decision, after the status write, midway through sending). Each member behaves like fledge's
// machine at a manual gate: a promote for its revision starts its analysis, which ends Succeeded or
// Failed. Invariants: no gate opens in a wave before every earlier wave promoted and soaked; none
// opens after a halt; every command a cluster ever gets for a revision has one text.
/** A promote command for `revision`, as the member's machine reads it. */
const promotes = (text: string | undefined, revision: string) => {
  if (text === undefined) return false;
  const c = JSON.parse(text) as { verb: string; revision: string };
  return c.verb === 'promote' && c.revision === revision;
};

describe('fleet plan under hub crashes (property)', () => {
  it('never opens a gate out of order, after a halt, or twice with different text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        fc.array(fc.constantFrom('none', 'beforeWrite', 'afterWrite', 'midSend'), {
          minLength: 60,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 3 }),
        (healthy, crashes, maxParallel) => {
          const names = ['a', 'b', 'c', 'd', 'e'];
          const waveLabel = (i: number) => (i < 2 ? '1' : '2');
          const s = spec({
            waves: [
              { name: 'canary', clusters: 'wave=1', soakTime: '10s', maxParallel },
              { name: 'rest', clusters: '', maxParallel },
            ],
          });
          const state = new Map(
            names.map((n) => [
              n,
              { phase: 'Waiting' as CanaryPhase, command: undefined as string | undefined, since: 0 },
            ]),
          );
          let stored: FleetCanaryStatus = {};
          const texts = new Map<string, string>();
          let t = 0;
          for (const crash of crashes) {
            t += 3;
            // Members act on their annotations, as fledge's machine does.
            for (const [i, n] of names.entries()) {
              const m = state.get(n)!;
              if (m.phase === 'Waiting' && promotes(m.command, `r2-${n}`))
                Object.assign(m, { phase: 'Progressing', since: t });
              else if (m.phase === 'Progressing' && t - m.since >= 6)
                m.phase = healthy[i] ? 'Succeeded' : 'Failed';
            }
            const members = names.map((n, i) => {
              const m = state.get(n)!;
              const promoted = m.phase === 'Succeeded' ? `r2-${n}` : `r1-${n}`;
              return member(
                n,
                waveLabel(i),
                canary({
                  phase: m.phase,
                  identity: 'app=web:2',
                  revision: `r2-${n}`,
                  promoted,
                  ...(m.command ? { command: m.command } : {}),
                }),
              );
            });
            const p = run(s, stored, members, t);
            if (crash === 'beforeWrite') continue;
            stored = p.status;
            if (crash === 'afterWrite') continue;
            const sent = crash === 'midSend' ? p.commands.slice(0, 1) : p.commands;
            for (const c of sent) {
              const key = `${c.cluster}/${c.revision}/${c.verb}`;
              expect(texts.get(key) ?? c.text).toBe(c.text);
              texts.set(key, c.text);
              const wave = names.indexOf(c.cluster) < 2 ? 0 : 1;
              if (c.verb === 'promote') {
                // In order: wave 2 opens only once wave 1 promoted everywhere and soaked.
                if (wave === 1) {
                  expect(names.slice(0, 2).every((n) => state.get(n)!.phase === 'Succeeded')).toBe(true);
                  expect(stored.waves?.[0]?.phase).toBe('Succeeded');
                }
                expect(stored.phase).not.toBe('Halted');
                // Never more than maxParallel of a wave in analysis at once.
                const inWave = names.filter((_, i) => (i < 2 ? 0 : 1) === wave);
                const active = inWave.filter((n) => state.get(n)!.phase === 'Progressing').length;
                expect(active).toBeLessThan(maxParallel + 1);
              }
              state.get(c.cluster)!.command = c.text;
            }
          }
          const wave1Healthy = healthy[0] && healthy[1];
          if (!wave1Healthy) {
            expect(stored.phase).toBe('Halted');
            for (const n of names.slice(2)) expect(state.get(n)!.phase).toBe('Waiting');
          } else if (healthy.every(Boolean)) expect(stored.phase).toBe('Succeeded');
        },
      ),
      { numRuns: 300 },
    );
  });
});
