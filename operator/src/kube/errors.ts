/** Narrowing helpers for client-node's ApiException, which carries the HTTP status as `code`. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code =
    (err as { code?: unknown; statusCode?: unknown }).code ?? (err as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown) => httpStatus(err) === 404;
export const isConflict = (err: unknown) => httpStatus(err) === 409;
export const isAlreadyExists = (err: unknown) => httpStatus(err) === 409;

/** The API server's message from a Status body, for logs, events and conditions. */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      return body.slice(0, 500);
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return err instanceof Error ? err.message : String(err);
}
