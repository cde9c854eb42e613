export type { MachineContext, FailureReason } from './context.ts';
export { contextSchema } from './context.ts';
export type { Effect, EffectParams, EffectType } from './effects.ts';
export { EventReason, effectTypes } from './effects.ts';
export { routeOf } from './actions.ts';
export type {
  AnalysisResultEvent,
  CommandEvent,
  CommandVerb,
  CheckSummary,
  Instant,
  MachineEvent,
  MachineInput,
  ObserveEvent,
  SetPlanEvent,
  Verdict,
  WebhookResultEvent,
} from './events.ts';
export { canaryMachine } from './machine.ts';
export { PERSISTED_VERSION, persistedMachineSchema, type PersistedMachine } from './persist.ts';
export { phaseOf, phases, type Phase } from './phase.ts';
export { planSchema, webhookTypes, type Plan, type Strategy, type WebhookType } from './plan.ts';
export type { MachineError, Result } from './result.ts';
export * from './schedule.ts';
export { Simulation, type Script, type World } from './simulate.ts';
export { start, step, type Step } from './step.ts';
