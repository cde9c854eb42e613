import type { WebhookType } from './plan.ts';

/** Why a Kubernetes Event was recorded; stable strings users can filter on. */
export const EventReason = {
  Initialized: 'Initialized',
  NewRevision: 'NewRevision',
  RevisionRestarted: 'RevisionRestarted',
  RevisionReverted: 'RevisionReverted',
  WaitingApproval: 'WaitingApproval',
  CheckFailed: 'CheckFailed',
  TrafficIncreaseHeld: 'TrafficIncreaseHeld',
  Advanced: 'Advanced',
  WaitingPromotion: 'WaitingPromotion',
  Promoting: 'Promoting',
  PromotionShifted: 'PromotionShifted',
  Succeeded: 'Succeeded',
  RolledBack: 'RolledBack',
  Terminating: 'Terminating',
  Terminated: 'Terminated',
  CommandAccepted: 'CommandAccepted',
  CommandRefused: 'CommandRefused',
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

/**
 * Parameters of every effect. Each fully describes what to do, so the executor needs nothing but
 * the effect and the Canary it belongs to. Every effect is idempotent: a batch repeated after a
 * crash (the status is written only after the whole batch succeeded) changes nothing more.
 */
/** What a route effect asks of the router. */
export interface RouteParams {
  primary: number;
  canary: number;
  mirror?: boolean;
  /** Session affinity: the release whose cookies the route sets (canary weight > 0) or expires. */
  release?: string;
}

export interface EffectParams {
  /** Create the primary workload from the target if it is missing, annotated with its revision. */
  ensurePrimary: Record<string, never>;
  /** Create the apex, primary and canary Services if missing. */
  ensureServices: Record<string, never>;
  /**
   * Create or update the primary's autoscaler from the target's (autoscalerRef). The machine never
   * asks for it: every pass converges it (reconcile/outbox.ts), initialization included.
   */
  ensureAutoscaler: Record<string, never>;
  /** Create or repair the routes (apex selector, mesh/ingress objects) with these weights. */
  ensureRoutes: RouteParams;
  /**
   * Route traffic; for A/B testing the weights apply to matched traffic only. `mirror` copies it to
   * the canary as well (absent in decisions persisted before mirroring existed: no mirror).
   */
  setWeights: RouteParams;
  /** Scale the target workload, which serves as the canary: back to its replicas, or to zero. */
  scaleCanary: { replicas: 'restore' | 0 };
  /** After initialization the primary serves; the target waits at zero for the next revision. */
  scaleTargetToZero: Record<string, never>;
  /**
   * Copy the target's spec (and tracked configs) to the primary. Keyed by revision: a primary
   * already annotated with it is left alone, and a target that no longer has this revision fails
   * the batch instead of promoting an unanalysed spec.
   */
  promote: { revision: string };
  /** Call the webhooks of one type; the reconciler answers with WEBHOOK_RESULT (not for post-rollout). */
  runWebhooks: { type: WebhookType; revision: string };
  /** Query the metric checks of this step; the reconciler answers with ANALYSIS_RESULT. */
  runAnalysis: { revision: string; canaryWeight: number; iterations: number };
  recordEvent: { type: 'Normal' | 'Warning'; reason: EventReason; message: string };
  sendAlert: { severity: 'info' | 'warn' | 'error'; message: string };
  /** Deletion with revertOnDeletion: give the target its replicas back (and resume its autoscaler). */
  revertTarget: Record<string, never>;
  /** Deletion with revertOnDeletion: point the apex Service and routes back at the target. */
  revertRoutes: Record<string, never>;
}

export type EffectType = keyof EffectParams;

/** One effect as xstate hands it over: the placeholder action's name and its resolved params. */
export type Effect = { [K in EffectType]: { type: K; params: EffectParams[K] } }[EffectType];

export const effectTypes: ReadonlySet<string> = new Set<EffectType>([
  'ensurePrimary',
  'ensureServices',
  'ensureAutoscaler',
  'ensureRoutes',
  'setWeights',
  'scaleCanary',
  'scaleTargetToZero',
  'promote',
  'runWebhooks',
  'runAnalysis',
  'recordEvent',
  'sendAlert',
  'revertTarget',
  'revertRoutes',
]);

/**
 * Effects among the actions `transition` returned. Only the placeholders declared in the machine's
 * setup carry these names, and their params are typed there; xstate erases that type in the
 * returned list, which is the one place it is restored.
 */
export function toEffects(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return actions
    .filter((a) => effectTypes.has(a.type))
    .map((a) => ({ type: a.type, params: a.params ?? {} }) as Effect);
}
