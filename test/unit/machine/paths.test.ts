import { isDeepStrictEqual } from 'node:util';
import { getAdjacencyMap } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { fromTransition, initialTransition, transition } from 'xstate';
import { toEffects, type Effect } from '../../../operator/src/machine/effects.ts';
import type { MachineEvent, Phase, Plan, Verdict, WebhookType } from '../../../operator/src/machine/index.ts';
import { canaryMachine, phaseOf, phases, webhookTypes } from '../../../operator/src/machine/index.ts';
import { maxWeightOf, weightAtPromotion } from '../../../operator/src/machine/index.ts';
import { persist, restingStates, restore, stateKey } from '../../../operator/src/machine/persist.ts';
import type { CanarySnapshot } from '../../../operator/src/machine/phase.ts';

/**
 * Every transition reachable from the statechart, explored breadth-first by @xstate/graph over a
 * finite alphabet of observations and answers, with tiny plans so the graph is finite. The machine
 * runs in a small world model: the clock, what the primary runs, what the last batch asked for,
 * and whether the operator died after executing a batch but before writing status. Each state
 * carries the history of the shortest path that reached it, so every edge is checked on a real path.
 */
interface History {
  promoted: string[]; // revisions promoted in the current release
  lastCheck: Verdict | null; // the last check of the current release
  trail: string[]; // the path, to explain a violation
}
interface Sim {
  snap: CanarySnapshot;
  now: number;
  primaryRevision: string | null;
  effects: Effect[];
  crashed: boolean;
  history: History;
}
type Clock = 'now' | 'step' | 'deadline';
type Step =
  | { type: 'OBSERVE'; rev: string; canary: boolean; primary: boolean; at: Clock }
  | { type: 'FLAG'; flag: 'suspended' | 'skipAnalysis' | 'deleting' }
  | { type: 'ANALYSIS'; verdict: Verdict; crash: boolean }
  | { type: 'HOOK'; webhook: WebhookType; ok: boolean; crash: boolean };

const base = { intervalMs: 500, threshold: 2, progressDeadlineSeconds: 1, revertOnDeletion: true };
const gates = webhookTypes.filter((w) => w !== 'event');
const configs: Record<string, Plan> = {
  canary: {
    ...base,
    strategy: 'canary',
    maxWeight: 20,
    stepWeight: 10,
    stepWeightPromotion: 15,
    webhooks: [],
  },
  'canary, every gate': { ...base, strategy: 'canary', maxWeight: 20, stepWeight: 10, webhooks: gates },
  'A/B testing': { ...base, strategy: 'abtest', iterations: 2, webhooks: ['pre-rollout'] },
  'blue/green': { ...base, strategy: 'bluegreen', iterations: 1, stepWeightPromotion: 60, webhooks: gates },
  'blue/green, mirrored': {
    ...base,
    strategy: 'bluegreen',
    iterations: 1,
    mirror: true,
    webhooks: ['pre-rollout'],
  },
};

const bools = [true, false];
const clocks: Clock[] = ['now', 'step', 'deadline'];
const observations: Step[] = ['r0', 'r1', 'r2'].flatMap((rev) =>
  bools.flatMap((canary) =>
    bools.flatMap((primary) => clocks.map((at): Step => ({ type: 'OBSERVE', rev, canary, primary, at }))),
  ),
);
const flags: Step[] = [
  { type: 'FLAG', flag: 'suspended' },
  { type: 'FLAG', flag: 'skipAnalysis' },
];
flags.push({ type: 'FLAG', flag: 'deleting' });
const verdicts: Step[] = [
  { type: 'ANALYSIS', verdict: 'pass', crash: false },
  { type: 'ANALYSIS', verdict: 'pass', crash: true },
  { type: 'ANALYSIS', verdict: 'fail', crash: false },
  { type: 'ANALYSIS', verdict: 'inconclusive', crash: false },
];
const hookAnswers = (webhook: WebhookType): Step[] => [
  { type: 'HOOK', webhook, ok: true, crash: false },
  { type: 'HOOK', webhook, ok: true, crash: true },
  { type: 'HOOK', webhook, ok: false, crash: false },
];
const isRequest = (e: Effect) =>
  e.type === 'runAnalysis' || (e.type === 'runWebhooks' && e.params.type !== 'post-rollout');

/** What the last batch asked for: the reconciler answers only that, and never after a crash. */
function request(sim: Sim): WebhookType | 'analysis' | null {
  const asked = sim.crashed ? undefined : sim.effects.find(isRequest);
  return asked?.type === 'runWebhooks' ? asked.params.type : asked ? 'analysis' : null;
}

/**
 * The alphabet of one state: every observation and flag, the answers to the request just made (a
 * crash after the batch of a passing answer, where promotion happens), and, where no answer is
 * awaited, a stray one that must change nothing. Steps that make the same event are tried once.
 */
function stepsFrom({ context: sim }: { context: Sim }): Step[] {
  const asked = request(sim);
  const answers = asked === 'analysis' ? verdicts : asked ? hookAnswers(asked) : [];
  const awaiting = /ask|measure|^waiting/.test(stateKey(sim.snap.value));
  const stray: Step[] = awaiting ? [] : [{ type: 'HOOK', webhook: 'rollout', ok: true, crash: false }];
  const seen = new Set<string>();
  return [...observations, ...flags, ...answers, ...stray].filter((s) => {
    const id = JSON.stringify([toEvent(sim, s), 'crash' in s && s.crash]);
    return !seen.has(id) && seen.add(id);
  });
}

function toEvent(sim: Sim, s: Step): MachineEvent {
  const { now, snap, primaryRevision } = sim;
  const c = snap.context;
  if (s.type === 'ANALYSIS') return { type: 'ANALYSIS_RESULT', now, verdict: s.verdict, checks: [] };
  if (s.type === 'HOOK') return { type: 'WEBHOOK_RESULT', now, webhook: s.webhook, ok: s.ok };
  const world = { revision: c.lastAppliedRevision, primaryRevision, primaryReady: true, canaryReady: true };
  const off = { suspended: false, skipAnalysis: false, deleting: false };
  const step = Math.max(now, c.nextStepAt ?? now);
  if (s.type === 'FLAG') return { type: 'OBSERVE', now: step, ...world, ...off, [s.flag]: true };
  const deadline = Math.max(now, (c.canaryNotReadySince ?? now) + c.plan.progressDeadlineSeconds * 1000);
  const seen = { revision: s.rev, canaryReady: s.canary, primaryReady: s.primary };
  return { type: 'OBSERVE', now: { now, step, deadline }[s.at], ...world, ...off, ...seen };
}

function reduce(sim: Sim, s: Step): Sim {
  const event = toEvent(sim, s);
  const [next, actions] = transition(canaryMachine, sim.snap, event);
  const effects = toEffects(actions);
  let primaryRevision = sim.primaryRevision;
  for (const e of effects) {
    if (e.type === 'promote') primaryRevision = e.params.revision;
    if (e.type === 'ensurePrimary') primaryRevision ??= event.type === 'OBSERVE' ? event.revision : 'r0';
  }
  const crashed = 'crash' in s && s.crash;
  const snap = crashed ? sim.snap : next;
  const history = record(sim.history, event, effects, snap);
  return { snap, now: Number(event.now), primaryRevision, effects, crashed, history };
}

const restarts = ['NewRevision', 'RevisionRestarted'];
function record(h: History, event: MachineEvent, effects: Effect[], snap: CanarySnapshot): History {
  const restart = effects.some((e) => e.type === 'recordEvent' && restarts.includes(e.params.reason));
  const hook = event.type === 'WEBHOOK_RESULT' && ['pre-rollout', 'rollout'].includes(event.webhook);
  const hookVerdict = hook && event.ok ? 'pass' : hook ? 'fail' : null;
  const verdict = event.type === 'ANALYSIS_RESULT' ? event.verdict : hookVerdict;
  const promoted = effects.flatMap((e) => (e.type === 'promote' ? [e.params.revision] : []));
  return {
    promoted: [...(restart ? [] : h.promoted), ...promoted],
    lastCheck: restart ? null : (verdict ?? h.lastCheck),
    trail: [...h.trail, `${JSON.stringify(event)} -> ${stateKey(snap.value)}: ${effects.map((e) => e.type)}`],
  };
}

/** Phase changes allowed (staying is always allowed). */
const legal: Record<Phase, string> = {
  Initializing: 'Initialized Terminating',
  Initialized: 'Waiting Progressing Terminating',
  Waiting: 'Progressing Succeeded Terminating',
  Progressing: 'WaitingPromotion Promoting Succeeded Failed Terminating',
  WaitingPromotion: 'Progressing Promoting Succeeded Failed Terminating',
  Promoting: 'Finalising Terminating',
  Finalising: 'Succeeded Terminating',
  Succeeded: 'Waiting Progressing Terminating',
  Failed: 'Waiting Progressing Terminating',
  Terminating: 'Terminated',
  Terminated: '',
};

/** Everything that must hold on an edge, given the path that led to it. Returns what does not. */
function violations(prev: Sim, s: Step, next: Sim): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => ok || out.push(what);
  const c = next.snap.context;
  const [from, to] = [phaseOf(prev.snap), phaseOf(next.snap)];
  const event = toEvent(prev, s);
  const capped = (w: number) => c.plan.strategy !== 'canary' || w <= maxWeightOf(c.plan);
  check(restingStates.has(stateKey(next.snap.value)), `rests in ${stateKey(next.snap.value)}`);
  check(from === to || legal[from].split(' ').includes(to), `${from} -> ${to}`);
  check(c.primaryWeight + c.canaryWeight === 100, 'weights sum to 100');
  check(capped(c.canaryWeight), 'canary above maxWeight');
  check(c.promotionHeld === (to === 'WaitingPromotion'), 'promotionHeld and WaitingPromotion disagree');
  // A copy of live traffic reaches the canary only while it is analysed, and only in a mirrored plan.
  check(
    !c.mirror ||
      (c.plan.mirror === true && c.canaryWeight === 0 && (to === 'Progressing' || to === 'WaitingPromotion')),
    `mirrors in ${to}`,
  );
  check(next.effects.filter(isRequest).length <= 1, 'one request per batch');
  for (const e of next.effects) {
    if (e.type === 'setWeights') check(e.params.primary + e.params.canary === 100, 'setWeights sum');
    if (e.type === 'setWeights') check(capped(e.params.canary), 'setWeights above maxWeight');
    if (e.type !== 'promote') continue;
    const skipped = event.type === 'OBSERVE' && event.skipAnalysis;
    const exposed = prev.snap.context.canaryWeight === weightAtPromotion(c.plan);
    check(
      prev.primaryRevision !== e.params.revision,
      `promotes ${e.params.revision}, which the primary runs`,
    );
    check(!prev.history.promoted.includes(e.params.revision), 'promotes twice in one release');
    check(
      skipped || next.history.lastCheck === 'pass',
      'promotes without a pass after the last failed check',
    );
    check(skipped || exposed || c.plan.strategy === 'bluegreen', 'promotes before full exposure');
  }
  if (to === 'Failed' && from !== 'Failed') {
    const since = prev.snap.context.canaryNotReadySince;
    const late =
      event.type === 'OBSERVE' && !event.canaryReady && Number(event.now) - (since ?? Infinity) >= 1000;
    const cause = {
      threshold: c.failedChecks >= c.plan.threshold,
      progressDeadline: late,
      rollbackWebhook: event.type === 'WEBHOOK_RESULT' && event.webhook === 'rollback' && event.ok,
      aborted: event.type === 'COMMAND' && event.verb === 'abort',
    };
    check(c.failureReason !== null && cause[c.failureReason], `fails for ${c.failureReason} without cause`);
    check(
      next.effects.some((e) => e.type === 'setWeights' && e.params.canary === 0),
      'fails, routes stay',
    );
    check(
      next.effects.some((e) => e.type === 'scaleCanary' && e.params.replicas === 0),
      'fails, canary stays',
    );
  }
  // Suspension holds everything but a deletion under way.
  if (event.type === 'OBSERVE' && event.suspended && !event.deleting && from !== 'Terminating') {
    const moved = stateKey(next.snap.value) !== stateKey(prev.snap.value);
    check(next.effects.length === 0 && !moved, 'moves while suspended');
  }
  if (['Initialized', 'Succeeded', 'Failed'].includes(to)) {
    const idle = c.canaryWeight === 0 && c.nextStepAt === null && c.canaryNotReadySince === null;
    check(idle, `${to} keeps release state`);
  }
  return out;
}

/** Times relative to now, no path history: the serialized state space stays finite. */
function serialize({ context: sim }: { context: Sim }): string {
  const c = sim.snap.context;
  const rel = (t: number | null) => (t === null ? null : Math.max(0, t - sim.now));
  const since = c.canaryNotReadySince === null ? null : rel(c.canaryNotReadySince + 1000);
  const times = {
    plan: 0,
    phaseStartedAt: 0,
    // Only reported (the duration metric), never decided on: any value is the same state.
    releaseStartedAt: 0,
    nextStepAt: rel(c.nextStepAt),
    canaryNotReadySince: since,
  };
  return JSON.stringify([stateKey(sim.snap.value), request(sim), sim.primaryRevision, { ...c, ...times }]);
}

function explore(plan: Plan) {
  const [snap, actions] = initialTransition(canaryMachine, { now: 0, plan, revision: 'r0' });
  const history: History = { promoted: [], lastCheck: null, trail: [] };
  const first: Sim = {
    snap,
    now: 0,
    primaryRevision: null,
    effects: toEffects(actions),
    crashed: false,
    history,
  };
  return getAdjacencyMap(fromTransition(reduce, first), {
    events: stepsFrom,
    serializeState: serialize as never,
    serializeEvent: ((s: Step) => JSON.stringify(s)) as never,
    stopWhen: ({ context }) => phaseOf(context.snap) === 'Terminated',
  });
}

type Edge = { event: Step; state: { context: Sim } };

describe('every reachable transition', () => {
  const reached = new Set<string>();
  const phasesReached = new Set<Phase>();

  it.each(Object.entries(configs))(
    '%s: invariants hold on every edge of every shortest path',
    (_, plan) => {
      const broken = new Map<string, string>();
      for (const { state, transitions } of Object.values(explore(plan))) {
        const prev: Sim = state.context;
        reached.add(stateKey(prev.snap.value));
        phasesReached.add(phaseOf(prev.snap));
        const round = restore(JSON.parse(JSON.stringify(persist(prev.snap))));
        const same = round.ok && isDeepStrictEqual(persist(round.value), persist(prev.snap));
        if (!same) broken.set('round trip', stateKey(prev.snap.value));
        for (const { event, state: next } of Object.values(transitions) as Edge[]) {
          for (const v of violations(prev, event, next.context)) {
            if (!broken.has(v)) broken.set(v, [...prev.history.trail, JSON.stringify(event)].join('\n'));
          }
        }
      }
      expect(Object.fromEntries(broken)).toEqual({});
    },
    60_000,
  );

  it('reaches every state a snapshot can rest in, and every phase', () => {
    expect([...restingStates].filter((s) => !reached.has(s))).toEqual([]);
    expect(phasesReached).toEqual(new Set(phases));
  });
});
