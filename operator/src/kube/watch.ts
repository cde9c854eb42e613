import type { KubeConfig } from '@kubernetes/client-node';
import { STATUS_CODES } from 'node:http';
import { createInterface } from 'node:readline';
import { kubeRequest, readText } from './http.ts';

type Callback = (phase: string, object: unknown, event?: unknown) => void;

/**
 * The watch half of client-node's ListWatch, on kube/http.ts instead of undici (same contract as
 * client-node's Watch, which ListWatch is written against):
 * - `done` is called exactly once: with nothing when the server ends the stream, with an error
 *   carrying `statusCode` when the server refuses the watch (410 Gone makes ListWatch relist),
 *   with a `TimeoutError` when no byte arrived for `inactivityMs` (ListWatch reconnects at once
 *   from its resourceVersion: a hung connection must not leave a cache silently stale), and with
 *   the socket's error when the connection breaks.
 * - The returned controller aborts the watch; `done` is still called once.
 */
export class HttpWatch {
  private readonly kc: KubeConfig;
  private readonly inactivityMs: number;

  constructor(kc: KubeConfig, inactivityMs = 30_000) {
    this.kc = kc;
    this.inactivityMs = inactivityMs;
  }

  async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: Callback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const params = new URLSearchParams({ watch: 'true' });
    for (const [k, v] of Object.entries(queryParams)) if (v !== undefined) params.set(k, String(v));
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.inactivityMs);
      timer.unref();
    };
    let finished = false;
    const finish = (err: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      controller.abort();
      if (err && timedOut)
        done(new DOMException('no watch event within the inactivity timeout', 'TimeoutError'));
      else done(err ?? null);
    };
    try {
      const { response } = await kubeRequest(
        this.kc,
        { method: 'GET', path: `${path}?${params}`, headers: { Accept: 'application/json' } },
        // One long request: the KubeConfig's per-request deadline must not cut it. The inactivity
        // timer starts once the request goes out: a wait for the rate limiter is not inactivity.
        { signal: controller.signal, deadline: false, onSend: arm },
      );
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        const body = await readText(response).catch(() => '');
        const error = Object.assign(new Error(STATUS_CODES[status] ?? `HTTP ${status}`), {
          statusCode: status,
          body,
        });
        throw error;
      }
      arm();
      response.on('data', arm);
      response.on('error', finish);
      response.on('close', () =>
        finish(response.complete ? null : new Error('watch connection closed early')),
      );
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      // readline re-emits its input's errors: unhandled, they would crash the process.
      lines.on('error', finish);
      lines.on('line', (line) => {
        let event: { type?: string; object?: unknown };
        try {
          event = JSON.parse(line) as { type?: string; object?: unknown };
        } catch {
          return; // a torn line of a broken connection; the close that follows reports it
        }
        callback(event.type ?? '', event.object, event);
      });
    } catch (err) {
      finish(err);
    }
    return controller;
  }
}
