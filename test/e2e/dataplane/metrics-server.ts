// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// Serves a prom-client Registry in the Prometheus text format at http://127.0.0.1:<port>/metrics,
// on its own port so scrapes never mix with routed traffic.
import { createServer } from 'node:http';
import type { Registry } from 'prom-client';
import { closeServer, listenLoopback, loopback } from './loopback.ts';

export interface MetricsServer {
  /** http://127.0.0.1:<port>/metrics */
  url: string;
  /** 127.0.0.1:<port>, a Prometheus scrape target */
  target: string;
  stop(): Promise<void>;
}

export async function serveMetrics(registry: Registry): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  const port = await listenLoopback(server);
  return {
    url: `http://${loopback}:${port}/metrics`,
    target: `${loopback}:${port}`,
    stop: () => closeServer(server),
  };
}
