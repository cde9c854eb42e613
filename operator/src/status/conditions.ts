/**
 * The one place that writes conditions. kstatus-compliant (`Ready`, `Reconciling`, `Stalled`
 * with observedGeneration; Reconciling and Stalled never both True) plus Flagger's `Promoted`, so
 * `kubectl wait --for=condition=Ready`, Flux health checks and Argo CD health all work.
 */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  Promoted: 'Promoted',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  Initializing: 'Initializing',
  Initialized: 'Initialized',
  Waiting: 'Waiting',
  Progressing: 'Progressing',
  WaitingPromotion: 'WaitingPromotion',
  Promoting: 'Promoting',
  Finalising: 'Finalising',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Terminating: 'Terminating',
  Terminated: 'Terminated',
  Suspended: 'Suspended',
  TargetNotFound: 'TargetNotFound',
  TargetNotSupported: 'TargetNotSupported',
  ProviderNotInstalled: 'ProviderNotInstalled',
  AutoscalerNotFound: 'AutoscalerNotFound',
  TemplateNotFound: 'TemplateNotFound',
  InvalidSpec: 'InvalidSpec',
  IncompatibleState: 'IncompatibleState',
  ReconcileError: 'ReconcileError',
  PrimaryNotReady: 'PrimaryNotReady',
  TargetNotReady: 'TargetNotReady',
  /** A decision that makes the Canary Ready is persisted; its effects are being applied. */
  Applying: 'Applying',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export interface DesiredCondition {
  type: ConditionType;
  status: boolean;
  reason: Reason;
  message: string;
}

/** Sets one condition, keeping lastTransitionTime when nothing about it changed. */
export function setCondition(
  conditions: readonly Condition[],
  // Any condition type (the fleet controller has its own); DesiredCondition is the Canary's.
  desired: { type: string; status: boolean; reason: string; message: string },
  generation: number,
  now: string,
): Condition[] {
  const status = desired.status ? 'True' : 'False';
  const existing = conditions.find((c) => c.type === desired.type);
  const unchanged =
    existing &&
    existing.status === status &&
    existing.reason === desired.reason &&
    existing.message === desired.message;
  const next: Condition = {
    type: desired.type,
    status,
    observedGeneration: generation,
    lastTransitionTime: unchanged ? existing.lastTransitionTime : now,
    reason: desired.reason,
    message: desired.message,
  };
  return [...conditions.filter((c) => c.type !== desired.type), next].sort(
    (a, b) => order(a.type) - order(b.type),
  );
}

const ORDER: readonly string[] = [
  ConditionType.Ready,
  ConditionType.Reconciling,
  ConditionType.Stalled,
  ConditionType.Promoted,
];
const order = (type: string) => {
  const i = ORDER.indexOf(type);
  return i === -1 ? ORDER.length : i;
};

export function removeCondition(conditions: readonly Condition[], type: ConditionType): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export type Health =
  | { kind: 'ready'; reason: Reason; message: string }
  | { kind: 'reconciling'; reason: Reason; message: string }
  | { kind: 'stalled'; reason: Reason; message: string };

/**
 * Applies the kstatus triple for one health verdict: ready -> Ready=True, no Reconciling/Stalled;
 * reconciling -> Ready=False, Reconciling=True; stalled -> Ready=False, Stalled=True.
 */
export function applyHealth(
  conditions: readonly Condition[],
  health: Health,
  generation: number,
  now: string,
): Condition[] {
  let next = setCondition(
    conditions,
    {
      type: ConditionType.Ready,
      status: health.kind === 'ready',
      reason: health.reason,
      message: health.message,
    },
    generation,
    now,
  );
  next = removeCondition(
    next,
    health.kind === 'reconciling' ? ConditionType.Stalled : ConditionType.Reconciling,
  );
  if (health.kind === 'ready') return removeCondition(next, ConditionType.Stalled);
  const type = health.kind === 'reconciling' ? ConditionType.Reconciling : ConditionType.Stalled;
  return setCondition(
    next,
    { type, status: true, reason: health.reason, message: health.message },
    generation,
    now,
  );
}

export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: ConditionType,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
