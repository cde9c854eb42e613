import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'https' = 'http'): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return {
    url: `${scheme}://127.0.0.1:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Labels = { version: string; code: string };

/**
 * A scrape target exporting http_requests_total counters. Each counter grows by its `perScrape`
 * increment on every scrape, so rate() over the target sees a steady, known request mix.
 */
export async function startCounterTarget(perScrape: Array<Labels & { increment: number }>) {
  const totals = perScrape.map((c) => ({ ...c, total: 0 }));
  let scrapes = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.statusCode = 404;
      res.end();
      return;
    }
    scrapes += 1;
    for (const c of totals) c.total += c.increment;
    const lines = totals.map(
      (c) => `http_requests_total{version="${c.version}",code="${c.code}"} ${c.total}`,
    );
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE http_requests_total counter\n${lines.join('\n')}\n`);
  });
  return { ...(await listen(server)), scrapes: () => scrapes };
}

export interface Recorded {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
}

/**
 * A loopback stand-in for the Prometheus HTTP API (or a proxy in front of it) that records every
 * request and answers with `respond`.
 */
export async function startFakeApi(
  respond: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: { cert: string; key: string },
): Promise<Listening & { requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({
      method: req.method ?? '',
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      headers: req.headers,
    });
    respond(req, res);
  };
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  return { ...(await listen(server, tls ? 'https' : 'http')), requests };
}

/** Answers like Prometheus' /api/v1/query with one sample of `value`. */
export function answerVector(value: string) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { job: 'fake' }, value: [1_700_000_000, value] }] },
      }),
    );
  };
}
