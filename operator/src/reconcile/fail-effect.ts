// What a pass does when an effect fails, and the last step of a deletion.
import type { Logger } from 'pino';
import type { Canary } from '../api/index.ts';
import type { CanaryObject } from '../controller.ts';
import { InvalidRoutingError } from '../routers/index.ts';
import { Reason } from '../status/conditions.ts';
import { FINALIZER } from './finalizer.ts';
import type { ReconcileResult, ReconcilerDeps } from './reconciler.ts';
import { stall } from './stall.ts';
import { describeError } from './status.ts';
import { StatusConflictError } from './status-writer.ts';

/**
 * An effect failed: the failure is shown on the Canary. A route the provider cannot express will
 * not fix itself: Stalled, no retry until the spec changes. Anything else is retried with backoff
 * while the Canary says why it is waiting.
 */
export async function failEffect(
  deps: ReconcilerDeps,
  obj: CanaryObject,
  canary: Canary,
  err: unknown,
  now: Date,
  log: Logger,
): Promise<ReconcileResult> {
  if (err instanceof StatusConflictError) throw err;
  // stall() writes with the resourceVersion `obj` was read at. Every claim and decision written
  // since bumped it, so this write can never take back a delivery mark: it fails (409) instead.
  deps.metrics.apiErrors.inc({ source: 'effect' });
  const terminal = err instanceof InvalidRoutingError;
  await stall(
    deps,
    obj,
    canary,
    Reason.ReconcileError,
    describeError(err),
    now,
    log,
    terminal ? 'stalled' : 'reconciling',
  ).catch((writeErr: unknown) => log.warn({ err: writeErr }, 'could not record the failure on the Canary'));
  if (terminal) return {};
  throw err;
}

export async function removeFinalizer(deps: ReconcilerDeps, obj: CanaryObject): Promise<void> {
  const finalizers = (obj.metadata?.finalizers ?? []).filter((f) => f !== FINALIZER);
  await deps.finalizers.set(
    obj.metadata?.namespace ?? '',
    obj.metadata?.name ?? '',
    finalizers,
    obj.metadata?.resourceVersion,
  );
}
