import { describe, expect, it } from 'vitest';
import { pruneClients, type MemberClients } from '../../../operator/src/fleet/reconciler.ts';

describe('member clients', () => {
  it('forgets the ones no pass used for the idle time, keeps the rest', () => {
    const clients: MemberClients = new Map([
      ['hub/eu-1/shop', { version: 'a', client: { error: 'x' }, usedAt: 1_000 }],
      ['hub/gone/shop', { version: 'b', client: { error: 'x' }, usedAt: 100 }],
    ]);
    pruneClients(clients, 1_050, 1_000);
    expect([...clients.keys()]).toEqual(['hub/eu-1/shop', 'hub/gone/shop']);
    pruneClients(clients, 1_500, 1_000);
    expect([...clients.keys()]).toEqual(['hub/eu-1/shop']);
  });
});
