import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort } from '../../env/ports.ts';
import { statusCode, statusMessage } from '../support.ts';
import { hubEnv, type HubEnv } from './fleet-env.ts';

// What the hub does with members it cannot use and FleetCanaries that cannot run: every one is
// named in status (a condition, not a log line), and none of them counts as a passed cluster.
describe('fleet: bad members and bad specs are reported by name', () => {
  let env: HubEnv;
  const wave = [{ name: 'all', clusters: '' }];

  beforeAll(async () => {
    env = await hubEnv('fleet-bad');
    const own = await readFile(inject('kubeconfig'), 'utf8');
    const labels = { 'fledge.dev/fleet': 'broken' };
    // Nothing listens on this port.
    const down = parse(own) as { clusters: { cluster: { server: string } }[] };
    down.clusters[0]!.cluster.server = `https://127.0.0.1:${await freePort()}`;
    await env.registerCluster('down', labels, stringify(down));
    // A real API server, a token it does not know.
    const badAuth = parse(own) as { users: { user: Record<string, string> }[] };
    badAuth.users[0]!.user = { token: 'not-a-token' };
    await env.registerCluster('badauth', labels, stringify(badAuth));
    // Reachable, but the Canary is not there.
    await env.registerCluster('nocanary', labels, own, { 'fledge.dev/canary-namespace': 'nowhere' });
    await env.createSecret('nokey', labels, { token: Buffer.from('x').toString('base64') });
    await env.startHub();
  });
  afterAll(async () => env?.teardown());

  it('names each member it cannot read, and why, in MembersReachable', async () => {
    await env.createFleet('probe', {
      canaryRef: { namespace: 'shop', name: 'web' },
      clusters: 'fledge.dev/fleet=broken',
      waves: wave,
    });
    const s = await env.waitForFleet('probe', 'MembersReachable=False', (st) =>
      (st.conditions ?? []).some((c) => c.type === 'MembersReachable' && c.status === 'False'),
    );
    const message = s.conditions!.find((c) => c.type === 'MembersReachable')!.message;
    const parts = Object.fromEntries(message.split('; ').map((p) => [p.split(': ')[0], p]));
    expect(Object.keys(parts).sort()).toEqual(['badauth', 'down', 'nocanary', 'nokey']);
    expect(parts['down']).toMatch(/ECONNREFUSED/);
    expect(parts['badauth']).toMatch(/cannot authenticate \(HTTP 401\)/);
    expect(parts['nocanary']).toMatch(/Canary nowhere\/web not found/);
    expect(parts['nokey']).toMatch(/Secret nokey has no kubeconfig key/);
    expect(s.phase).toBe('Idle');
  });

  it('refuses an invalid FleetCanary at admission, naming the field', async () => {
    const err = await env
      .createFleet('empty', { canaryRef: { namespace: 'shop', name: 'web' }, clusters: 'x=y', waves: [] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(statusCode(err)).toBe(422);
    expect(statusMessage(err)).toMatch(/spec\.waves/);
    const zero = await env
      .createFleet('zero', {
        canaryRef: { namespace: 'shop', name: 'web' },
        clusters: 'x=y',
        waves: [{ name: 'all', clusters: '', maxParallel: 0 }],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(statusCode(zero)).toBe(422);
    expect(statusMessage(zero)).toMatch(/spec\.waves\[0\]\.maxParallel/);
    const all = await env
      .createFleet('all', { canaryRef: { namespace: 'shop', name: 'web' }, clusters: '', waves: wave })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(statusCode(all)).toBe(422);
    expect(statusMessage(all)).toMatch(/spec\.clusters/);
  });

  it('stalls on a selector it cannot parse, naming the field', async () => {
    await env.createFleet('badselector', {
      canaryRef: { namespace: 'shop', name: 'web' },
      clusters: 'fledge.dev/fleet=broken',
      waves: [{ name: 'all', clusters: 'env in (prod' }],
    });
    const s = await env.waitForFleet('badselector', 'Stalled', (st) =>
      (st.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
    );
    expect(s.conditions!.find((c) => c.type === 'Stalled')).toMatchObject({ reason: 'InvalidSpec' });
    expect(s.message).toMatch(/^spec\.waves\[0\]\.clusters: /);
  });
});
