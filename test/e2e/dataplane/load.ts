// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// A load generator: an open-loop, steady request rate to a loopback URL (the router), bounded in
// count and time. Requests are started on a 10 ms tick to keep up with `rps`; when `maxInFlight`
// requests are already waiting, the due request is dropped and counted, never queued, so a slow
// backend cannot make the generator burst later. Answers are counted by the backend Service that
// served them (the router's `x-fledge-backend` header, "(router)" when the router answered itself)
// and status code.
import { Agent, request } from 'node:http';
import { loopbackUrl } from './loopback.ts';
import { backendHeader } from './router.ts';

export interface LoadOptions {
  /** http://127.0.0.1:<port>[/path] */
  url: string;
  rps: number;
  headers?: Record<string, string>;
  /** Stops after this many requests (default rps * 600). */
  maxRequests?: number;
  /** Stops after this long (default 10 minutes). */
  maxDurationMs?: number;
  /** Default 256. */
  maxInFlight?: number;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
}

export interface LoadCounts {
  /** Requests sent. */
  sent: number;
  /** Answers by backend Service, then by status code. */
  byBackend: Record<string, Record<string, number>>;
  /** Requests that got no answer (connection error, timeout). */
  failed: number;
  /** Requests not sent because maxInFlight were already waiting. */
  dropped: number;
  /** Wall time from start to the last answer (or now). */
  elapsedMs: number;
}

export interface Load {
  counts(): LoadCounts;
  /** Stops sending, waits for the requests in flight, and resolves with the final counts. */
  stop(): Promise<LoadCounts>;
  /** Resolves when a bound (count or time) is reached, or after stop(). */
  done: Promise<LoadCounts>;
}

export const maxRps = 5_000;

export function startLoad(o: LoadOptions): Load {
  const url = loopbackUrl(o.url);
  if (!(o.rps > 0 && o.rps <= maxRps)) throw new Error(`rps must be in (0, ${maxRps}], got ${o.rps}`);
  const maxRequests = o.maxRequests ?? Math.ceil(o.rps * 600);
  const maxDurationMs = o.maxDurationMs ?? 600_000;
  const maxInFlight = o.maxInFlight ?? 256;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const counts: LoadCounts = { sent: 0, byBackend: {}, failed: 0, dropped: 0, elapsedMs: 0 };
  const start = performance.now();
  let inFlight = 0;
  let sending = true;
  let finish: (c: LoadCounts) => void = () => {};
  const done = new Promise<LoadCounts>((resolve) => (finish = resolve));

  const snapshot = (): LoadCounts => ({ ...structuredClone(counts), elapsedMs: performance.now() - start });
  const settleIfIdle = () => {
    if (!sending && inFlight === 0) {
      agent.destroy();
      finish(snapshot());
    }
  };
  const answered = (backend: string, code: number) => {
    const row = (counts.byBackend[backend] ??= {});
    row[code] = (row[code] ?? 0) + 1;
  };
  const send = () => {
    counts.sent += 1;
    inFlight += 1;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      inFlight -= 1;
      settleIfIdle();
    };
    const req = request(
      url,
      { method: 'GET', headers: o.headers ?? {}, agent, timeout: timeoutMs },
      (res) => {
        const backend = res.headers[backendHeader];
        res.resume();
        res.once('end', () =>
          settle(() => answered(typeof backend === 'string' ? backend : '(router)', res.statusCode ?? 0)),
        );
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => settle(() => (counts.failed += 1)));
    req.end();
  };
  const stopSending = () => {
    sending = false;
    clearInterval(ticker);
    settleIfIdle();
  };
  const ticker = setInterval(() => {
    const elapsed = performance.now() - start;
    const due = Math.min(Math.floor((elapsed * o.rps) / 1000), maxRequests) - counts.sent - counts.dropped;
    for (let i = 0; i < due; i++) {
      if (inFlight >= maxInFlight) counts.dropped += 1;
      else send();
    }
    if (counts.sent + counts.dropped >= maxRequests || elapsed >= maxDurationMs) stopSending();
  }, 10);

  return {
    counts: snapshot,
    stop: () => {
      stopSending();
      return done;
    },
    done,
  };
}
