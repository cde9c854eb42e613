import { createServer } from 'node:http';
import { afterAll, beforeAll } from 'vitest';

/**
 * A loopback HTTP receiver for outbound calls (webhooks, alerts): every request's JSON body is
 * recorded, and each request is answered with the next status in `answers` (200 when empty).
 * Registers its own beforeAll/afterAll; `url()` is valid inside tests.
 */
export function scriptedReceiver(path: string) {
  const answers: number[] = [];
  const bodies: unknown[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    if (!a || typeof a !== 'object') throw new Error('no address');
    url = `http://127.0.0.1:${a.port}${path}`;
  });
  afterAll(() => void server.close());
  return { answers, bodies, url: () => url };
}
