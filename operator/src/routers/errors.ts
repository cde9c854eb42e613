// Router errors name the object first (`HTTPRoute shop/checkout: update failed`) and keep the API
// error as `cause`, so a log line or a Stalled condition says what broke without a stack trace.
// The classes tell the reconciler what to do: retry (RouterError, RouteConflictError,
// RouteNotFoundError, since the object may appear) or stall until the Canary changes
// (InvalidRoutingError: the request cannot be expressed by this provider).

export class RouterError extends Error {
  override name = 'RouterError';
  /** `Kind namespace/name` of the object the error is about. */
  readonly object: string;
  constructor(object: string, problem: string, options?: { cause?: unknown }) {
    super(`${object}: ${problem}`, options);
    this.object = object;
  }
}

/** Another writer kept changing the object between our read and our write, past every retry. */
export class RouteConflictError extends RouterError {
  override name = 'RouteConflictError';
}

/** An object the router reads but does not create (the user's Ingress, the apex Service) is missing. */
export class RouteNotFoundError extends RouterError {
  override name = 'RouteNotFoundError';
}

/** The provider cannot express what was asked (weights, a match, mirroring); retrying will not help. */
export class InvalidRoutingError extends RouterError {
  override name = 'InvalidRoutingError';
}

/** Weights are whole percentages that add up to 100; anything else is a caller bug worth stopping on. */
export function checkWeights(object: string, w: { primary: number; canary: number }): void {
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n <= 100;
  if (!ok(w.primary) || !ok(w.canary) || w.primary + w.canary !== 100) {
    throw new InvalidRoutingError(
      object,
      `weights must be whole percentages adding up to 100, got primary ${w.primary} canary ${w.canary}`,
    );
  }
}
