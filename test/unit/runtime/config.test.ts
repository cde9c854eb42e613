import { describe, expect, it } from 'vitest';
import { ConfigError, fromEnv, leaseNameFor, parseConfig } from '../../../operator/src/runtime/config.ts';

describe('operator configuration', () => {
  it('applies defaults', () => {
    expect(parseConfig({}, {})).toMatchObject({
      watchNamespace: '',
      metricsAddress: '0.0.0.0:8080',
      concurrency: 32,
      leaderElect: true,
      leaseDurationSeconds: 15,
    });
  });

  it('reads FLEDGE_* variables, and flags win over them', () => {
    const env = { FLEDGE_WATCH_NAMESPACE: 'shop', FLEDGE_LEADER_ELECT: 'false', FLEDGE_CONCURRENCY: '8' };
    expect(fromEnv(env)).toEqual({ watchNamespace: 'shop', leaderElect: 'false', concurrency: '8' });
    expect(parseConfig({ concurrency: '2' }, env)).toMatchObject({
      watchNamespace: 'shop',
      leaderElect: false,
      concurrency: 2,
    });
  });

  it.each([
    [{ concurrency: '0' }, '--concurrency'],
    [{ concurrency: 'many' }, '--concurrency'],
    [{ metricsAddress: 'localhost' }, '--metrics-address: must be host:port'],
    [{ logLevel: 'loud' }, '--log-level'],
    [{ watchNamespace: 'Not_A_Namespace' }, '--watch-namespace: must be a namespace name'],
    [{ leaderElect: 'maybe' }, '--leader-elect'],
    [{ metricsServer: 'not a url' }, '--metrics-server'],
    [{ shardSelector: 'fledge.dev/shard in (a' }, '--shard-selector: unbalanced parentheses'],
  ])('refuses %j naming the setting', (flags, named) => {
    expect(() => parseConfig(flags, {})).toThrow(ConfigError);
    expect(() => parseConfig(flags, {})).toThrow(named);
  });

  it('gives each shard its own default Lease, the same for the same selector however written', () => {
    expect(leaseNameFor('')).toBe('fledge-leader');
    const a = leaseNameFor('fledge.dev/shard in (a,b),tier=web');
    expect(a).toMatch(/^fledge-leader-[0-9a-f]{10}$/);
    expect(leaseNameFor('tier==web, fledge.dev/shard in (b, a)')).toBe(a);
    expect(leaseNameFor('fledge.dev/shard in (a,c),tier=web')).not.toBe(a);
    expect(leaseNameFor('!fledge.dev/shard')).not.toBe(leaseNameFor('fledge.dev/shard'));
  });
});
