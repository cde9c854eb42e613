import { createServer, type Server } from 'node:http';

export type Received = { path: string; body: Record<string, unknown> };

/** A loopback webhook standing for Slack and a generic receiver: records every POST by path. */
export async function startReceiver(): Promise<{ base: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  if (!a || typeof a !== 'object') throw new Error('no address');
  return { base: `http://127.0.0.1:${a.port}`, received, server };
}
