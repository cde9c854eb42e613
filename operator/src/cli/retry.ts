/**
 * The API server answers 429 "storage is (re)initializing" for a CRD it has just established, and
 * 429/503 when it sheds load: the CLI waits as it is told (Retry-After, at most 5 s each time) and
 * tries again, for up to `budgetMs`, so a command typed right after `helm install` still works.
 */
export async function retryBusy<T>(call: () => Promise<T>, budgetMs = 15_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if ((code !== 429 && code !== 503) || Date.now() >= deadline) throw err;
      const headers = (err as { headers?: Record<string, string> }).headers ?? {};
      const after = Number(headers['retry-after'] ?? 1);
      const waitMs = Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 1000, 5000);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(waitMs, Math.max(0, deadline - Date.now()))),
      );
    }
  }
}
