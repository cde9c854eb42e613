import type { MachineContext } from './context.ts';
import type { Effect } from './effects.ts';
import {
  toMillis,
  type CommandVerb,
  type Instant,
  type MachineEvent,
  type ObserveEvent,
  type Verdict,
} from './events.ts';
import type { Phase } from './phase.ts';
import type { Plan, WebhookType } from './plan.ts';
import type { Result } from './result.ts';
import { start, step, type Step } from './step.ts';

/** What a reconcile pass observes, minus the time. */
export type World = Omit<ObserveEvent, 'type' | 'now'>;

/** Answers to the machine's requests, in order; a missing answer is a pass (and no rollback). */
export interface Script {
  analysis?: Verdict[];
  webhooks?: Partial<Record<WebhookType, boolean[]>>;
}

/**
 * A release rehearsed against an ideal cluster, the way the reconciler drives the machine: every
 * pass observes the world, answers each analysis or webhook request in the same pass, and lets
 * the effects change the world (a promoted primary runs its revision, a scaled canary is ready at
 * once). Pure like the machine; it shows a plan's timeline without a cluster, and the tests use it.
 */
export class Simulation {
  now: number;
  readonly world: World;
  current: Step;
  readonly steps: Step[] = [];
  /** Every event sent, in order: the timeline, replayable through `step`. */
  readonly events: MachineEvent[] = [];
  private readonly script: { analysis: Verdict[]; webhooks: Partial<Record<WebhookType, boolean[]>> };

  static start(plan: Plan, at: Instant, revision: string, script: Script = {}): Result<Simulation> {
    const first = start({ now: at, plan, revision });
    return first.ok
      ? { ok: true, value: new Simulation(first.value, toMillis(at), revision, script) }
      : first;
  }

  private constructor(first: Step, now: number, revision: string, script: Script) {
    this.now = now;
    this.script = { analysis: [...(script.analysis ?? [])], webhooks: { ...script.webhooks } };
    this.world = {
      revision,
      primaryRevision: null,
      primaryReady: false,
      canaryReady: true,
      suspended: false,
      skipAnalysis: false,
      deleting: false,
    };
    this.current = first;
    this.record(first);
  }

  get context(): MachineContext {
    return this.current.persisted.context;
  }
  get effects(): Effect[] {
    return this.steps.flatMap((s) => s.effects);
  }
  /** Phases in order, each once per stay. */
  get phases(): Phase[] {
    return this.steps.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
  }

  /** One decision from the persisted JSON, as a restarted operator would read it from status. */
  send(event: MachineEvent): Step {
    this.events.push(event);
    const next = step(JSON.parse(JSON.stringify(this.current.persisted)), event);
    // Only our own snapshots and well-formed events reach here: an error is a bug in the machine.
    if (!next.ok) throw new Error(`${next.error.kind}: ${next.error.message}`);
    this.current = next.value;
    this.record(next.value);
    return next.value;
  }

  /** One reconcile pass, `dt` ms after the previous one, after the world changed by `change`. */
  pass(change: Partial<World> = {}, dt = 0): this {
    this.now += dt;
    Object.assign(this.world, change);
    let next: Step | undefined = this.send({ type: 'OBSERVE', now: this.now, ...this.world });
    while (next) next = this.answer(next);
    return this;
  }

  /**
   * A person's command, handled as the reconciler does: the COMMAND event, then the pass's OBSERVE.
   * The revision defaults to the release in progress.
   */
  command(verb: CommandVerb, options: { revision?: string; full?: boolean; error?: string } = {}): this {
    this.commands++;
    let next: Step | undefined = this.send({
      type: 'COMMAND',
      now: this.now,
      id: `command-${this.commands}`,
      verb,
      revision: options.revision ?? this.context.lastAppliedRevision,
      full: options.full ?? false,
      observed: {
        revision: this.world.revision,
        suspended: this.world.suspended,
        deleting: this.world.deleting,
      },
      ...(options.error !== undefined ? { error: options.error } : {}),
    });
    while (next) next = this.answer(next);
    return this.pass();
  }
  private commands = 0;

  /** Passes at every requeue time (or each interval when none) until the phase is reached. */
  until(phase: Phase, limit = 100): this {
    for (let i = 0; i < limit && this.current.phase !== phase; i++) {
      const at = this.current.requeueAt;
      this.pass({}, at === null ? this.context.plan.intervalMs : Math.max(0, at - this.now));
    }
    return this;
  }

  private answer(s: Step): Step | undefined {
    for (const e of s.effects) {
      if (e.type === 'runAnalysis') {
        const verdict = this.script.analysis.shift() ?? 'pass';
        return this.send({
          type: 'ANALYSIS_RESULT',
          now: this.now,
          verdict,
          checks: [{ name: 'scripted', verdict }],
        });
      }
      if (e.type === 'runWebhooks' && e.params.type !== 'post-rollout') {
        const ok = this.script.webhooks[e.params.type]?.shift() ?? e.params.type !== 'rollback';
        return this.send({ type: 'WEBHOOK_RESULT', now: this.now, webhook: e.params.type, ok });
      }
    }
    return undefined;
  }

  private record(s: Step): void {
    this.steps.push(s);
    for (const e of s.effects) {
      if (e.type === 'ensurePrimary') this.world.primaryRevision ??= this.world.revision;
      if (e.type === 'promote') this.world.primaryRevision = e.params.revision;
      if (e.type === 'scaleCanary') this.world.canaryReady = e.params.replicas === 'restore';
      if (e.type === 'scaleTargetToZero') this.world.canaryReady = false;
      if (e.type === 'revertTarget') this.world.canaryReady = true;
    }
  }
}
