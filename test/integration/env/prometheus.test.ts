import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type Prometheus } from '../../env/prometheus.ts';
import { waitFor } from '../../env/wait.ts';

// A loopback target whose value the test controls, scraped by the real Prometheus of test/env.
describe('Prometheus from test/env', () => {
  let value = 7;
  let server: Server;
  let prometheus: Prometheus;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# TYPE fledge_env_probe gauge\nfledge_env_probe{version="v1"} ${value}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    prometheus = await startPrometheus({
      scrape: [{ job: 'probe', targets: [`127.0.0.1:${address.port}`] }],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    server?.close();
  });

  it('scrapes a loopback target and answers PromQL with its value', async () => {
    await prometheus.waitForSeries('fledge_env_probe');
    const [sample] = await prometheus.query('sum by (version) (fledge_env_probe)');
    expect(sample).toEqual({ metric: { version: 'v1' }, value: 7 });
  });

  it('follows a change of the target value on the next scrapes', async () => {
    value = 42;
    const seen = await waitFor('the new value', async () => {
      const [s] = await prometheus.query('fledge_env_probe{job="probe"}');
      return s?.value === 42 && s;
    });
    expect(seen.metric['instance']).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('refuses a scrape target that is not on loopback', async () => {
    await expect(prometheus.setTargets([{ job: 'x', targets: ['10.244.0.5:8080'] }])).rejects.toThrow(
      'not on 127.0.0.1',
    );
  });
});
