import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../operator/src/fleet/config.ts';
import { ConfigError } from '../../../operator/src/runtime/config.ts';

describe('fleet controller settings', () => {
  it('has defaults, reads FLEDGE_* variables, and lets flags win', () => {
    const c = parseFleetConfig(
      { pollSeconds: '2' },
      { FLEDGE_POLL_SECONDS: '9', FLEDGE_MEMBER_CONCURRENCY: '4' },
    );
    expect(c).toMatchObject({
      pollSeconds: 2,
      memberConcurrency: 4,
      memberTimeoutSeconds: 10,
      leaseName: 'fledge-fleet-leader',
      leaderElect: true,
      watchNamespace: '',
    });
  });

  it('names the flag of a bad value', () => {
    expect(() => parseFleetConfig({ memberTimeoutSeconds: '0' }, {})).toThrow(ConfigError);
    expect(() => parseFleetConfig({}, { FLEDGE_POLL_SECONDS: 'soon' })).toThrow(/--poll-seconds/);
  });
});
