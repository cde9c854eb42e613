import type { MachineContext } from './context.ts';
import type { MachineEvent } from './events.ts';
import type { WebhookType } from './plan.ts';
import { alerts, notices } from './notices.ts';

/**
 * Effect actions with dynamic params, shared by several transitions. Params are resolved in list
 * order, so an effect placed after an `assign` sees the updated context: `setWeights` after
 * `advance` routes the new weights.
 */
type Args = { context: MachineContext; event: MachineEvent };

/**
 * The release a route is for, keying the session-affinity cookies: the revision under analysis
 * (or the last one analysed, whose cookies a route at canary weight 0 expires) and when that
 * release began, so a retry or a re-release of the same revision gets cookies of its own.
 */
export const releaseKey = (context: MachineContext) =>
  `${context.lastAppliedRevision}@${context.releaseStartedAt ?? 0}`;

/** The route the context asks for; `mirror` and `release` only when set, so plans without them keep their effects. */
export const routeOf = (context: MachineContext) => ({
  primary: context.primaryWeight,
  canary: context.canaryWeight,
  ...(context.mirror ? { mirror: true } : {}),
  ...(context.plan.sessionAffinity ? { release: releaseKey(context) } : {}),
});

export const setWeights = {
  type: 'setWeights',
  params: ({ context }: Args) => routeOf(context),
} as const;

export const ensureRoutes = {
  type: 'ensureRoutes',
  params: ({ context }: Args) => routeOf(context),
} as const;

export const scaleUp = { type: 'scaleCanary', params: { replicas: 'restore' } } as const;
export const scaleDown = { type: 'scaleCanary', params: { replicas: 0 } } as const;

export const promote = {
  type: 'promote',
  params: ({ context }: Args) => ({ revision: context.lastAppliedRevision }),
} as const;

export const ask = (webhook: WebhookType) =>
  ({
    type: 'runWebhooks',
    params: ({ context }: Args) => ({ type: webhook, revision: context.lastAppliedRevision }),
  }) as const;

export const runAnalysis = {
  type: 'runAnalysis',
  params: ({ context }: Args) => ({
    revision: context.lastAppliedRevision,
    canaryWeight: context.canaryWeight,
    iterations: context.iterations,
  }),
} as const;

export const record = (notice: keyof typeof notices) =>
  ({ type: 'recordEvent', params: notices[notice] }) as const;
export const alert = (name: keyof typeof alerts) => ({ type: 'sendAlert', params: alerts[name] }) as const;

/** Scale the canary up for a release, announced as Flagger does. */
export const beginAnalysis = [
  scaleUp,
  'startMirror',
  'routeMirror',
  record('newRevision'),
  alert('newRevision'),
] as const;

/** Every rollback, whatever its cause: all traffic to the primary, the canary to zero, everyone told. */
export const rollBack = [
  setWeights,
  scaleDown,
  record('rolledBack'),
  alert('rolledBack'),
  'postRollout',
] as const;
