// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// Users with cookie jars, as browsers behave: each keeps the cookies the answers set (Max-Age <= 0
// drops one, RFC 6265), sends them on its next request, and visits the router in a closed loop
// (the next request after the answer plus a pause). Every visit is recorded with the cookies it
// sent, the backend that answered (the router's `x-fledge-backend`) and the Set-Cookie it got.
import { Agent, request } from 'node:http';
import { loopbackUrl } from './loopback.ts';
import { backendHeader } from './router.ts';

export interface Visit {
  user: number;
  /** Epoch ms of the answer. */
  at: number;
  /** Cookies sent, by name. */
  sent: Record<string, string>;
  /** The backend Service that answered; "(router)" when the router answered itself, "(failed)" without an answer. */
  backend: string;
  status: number;
  setCookies: string[];
}

export interface SessionsOptions {
  /** http://127.0.0.1:<port> (the router). */
  url: string;
  users: number;
  /** Pause between a user's answer and its next request. */
  pauseMs: number;
}

export interface Sessions {
  visits(): Visit[];
  /** Each user's cookies now, by name. */
  jars(): Array<Record<string, string>>;
  stop(): Promise<Visit[]>;
}

/** Applies one Set-Cookie value to a jar; attributes other than Max-Age are ignored. */
export function applySetCookie(jar: Record<string, string>, header: string): void {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return;
  const name = pair.slice(0, eq).trim();
  const maxAge = attributes
    .map((a) => a.trim().split('='))
    .find(([k]) => k?.toLowerCase() === 'max-age')?.[1];
  if (maxAge !== undefined && Number(maxAge) <= 0) delete jar[name];
  else jar[name] = pair.slice(eq + 1).trim();
}

export function startSessions(o: SessionsOptions): Sessions {
  const url = loopbackUrl(o.url);
  const agent = new Agent({ keepAlive: true, maxSockets: o.users });
  const visits: Visit[] = [];
  const jars = Array.from({ length: o.users }, () => ({}) as Record<string, string>);
  let stopped = false;

  const visit = (user: number) =>
    new Promise<void>((resolve) => {
      const jar = jars[user] ?? {};
      const sent = { ...jar };
      const cookie = Object.entries(sent)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
      const record = (backend: string, status: number, setCookies: string[]) => {
        visits.push({ user, at: Date.now(), sent, backend, status, setCookies });
        for (const h of setCookies) applySetCookie(jar, h);
        resolve();
      };
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/',
          agent,
          timeout: 10_000,
          headers: cookie ? { cookie } : {},
        },
        (res) => {
          res.resume();
          res.once('end', () => {
            const b = res.headers[backendHeader];
            record(
              (Array.isArray(b) ? b[0] : b) ?? '(router)',
              res.statusCode ?? 0,
              res.headers['set-cookie'] ?? [],
            );
          });
        },
      );
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', () => record('(failed)', 0, []));
      req.end();
    });

  const loops = jars.map(async (_, user) => {
    while (!stopped) {
      await visit(user);
      // Pacing between a user's visits (think time), not a wait for a condition.
      await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  });

  return {
    visits: () => [...visits],
    jars: () => jars.map((j) => ({ ...j })),
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
      return [...visits];
    },
  };
}
