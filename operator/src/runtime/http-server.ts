import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Probes {
  /** Liveness: the event loop answers. */
  healthy: () => boolean;
  /** Readiness: informers synced and healthy, with a reason when not. */
  ready: () => { ok: boolean; reason: string };
}

/** /metrics, /healthz and /readyz on one port. */
export function startHttpServer(address: string, registry: Registry, probes: Probes): Promise<Server> {
  const [host, port] = splitAddress(address);
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/metrics') {
        res.setHeader('content-type', registry.contentType);
        res.end(await registry.metrics());
      } else if (req.url === '/healthz') {
        const ok = probes.healthy();
        res.statusCode = ok ? 200 : 500;
        res.end(ok ? 'ok\n' : 'unhealthy\n');
      } else if (req.url === '/readyz') {
        const { ok, reason } = probes.ready();
        res.statusCode = ok ? 200 : 503;
        res.end(`${reason}\n`);
      } else {
        res.statusCode = 404;
        res.end('not found\n');
      }
    })().catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i) || '0.0.0.0', Number(address.slice(i + 1))];
}
