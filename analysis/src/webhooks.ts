/**
 * Flagger-compatible webhooks: a POST of the canary's identity and phase to each URL of one type;
 * a 2xx answer is a yes, anything else (including a timeout or a refused connection) is a no.
 * Gates therefore fail closed: an unreachable confirm-promotion hook never promotes.
 */
export interface WebhookCall {
  name: string;
  url: string;
  timeoutMs: number;
  /** Further attempts after a failed one (Flagger's `retries`). */
  retries?: number | undefined;
  metadata?: Readonly<Record<string, string>> | undefined;
}

export interface WebhookPayload {
  name: string;
  namespace: string;
  phase: string;
  checksum: string;
  type: string;
}

export interface WebhookOutcome {
  name: string;
  ok: boolean;
  message: string;
}

export async function callWebhook(call: WebhookCall, payload: WebhookPayload): Promise<WebhookOutcome> {
  let outcome = await callOnce(call, payload);
  for (let attempt = 0; !outcome.ok && attempt < (call.retries ?? 0); attempt++)
    outcome = await callOnce(call, payload);
  return outcome;
}

async function callOnce(call: WebhookCall, payload: WebhookPayload): Promise<WebhookOutcome> {
  try {
    const res = await fetch(call.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...payload, metadata: call.metadata ?? {} }),
      signal: AbortSignal.timeout(call.timeoutMs),
      redirect: 'error',
    });
    await res.body?.cancel();
    return { name: call.name, ok: res.ok, message: `${call.name}: HTTP ${res.status}` };
  } catch (err) {
    const why =
      err instanceof Error && err.name === 'TimeoutError'
        ? `timed out after ${call.timeoutMs} ms`
        : `call failed: ${causeOf(err)}`;
    return { name: call.name, ok: false, message: `${call.name}: ${why}` };
  }
}

/**
 * fetch wraps the reason (a refused connection, a bad certificate) in `cause`. Its error code says
 * it without the address (a webhook URL may carry a token); the message only when there is no code.
 */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const inner = cause instanceof Error ? cause : err instanceof Error ? err : undefined;
  if (!inner) return 'unknown error';
  const code = (inner as { code?: unknown }).code;
  return typeof code === 'string' ? code : inner.message.replace(/https?:\/\/\S+/g, '<url>').slice(0, 200);
}

/** Every webhook of one type, concurrently; ok only when all said yes. */
export async function callWebhooks(
  calls: readonly WebhookCall[],
  payload: WebhookPayload,
): Promise<{ ok: boolean; outcomes: WebhookOutcome[] }> {
  const outcomes = await Promise.all(calls.map((c) => callWebhook(c, payload)));
  return { ok: outcomes.every((o) => o.ok), outcomes };
}
