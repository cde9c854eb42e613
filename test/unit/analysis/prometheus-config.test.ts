import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../analysis/src/errors.ts';
import { createPrometheusProvider } from '../../../analysis/src/prometheus.ts';

// Configuration is checked when the provider is created, before any request; the behaviour of
// queries is tested against a real Prometheus in test/integration/analysis.
describe('createPrometheusProvider configuration', () => {
  it.each([
    ['an address that is not a URL', { address: 'prometheus:9090' }, 'is not http(s)'],
    ['a relative address', { address: '/api' }, 'is not a URL'],
    ['a non-http scheme', { address: 'ftp://prometheus' }, 'is not http(s)'],
    [
      'credentials in the address',
      { address: 'http://user:pass@prometheus:9090' },
      'must not hold credentials',
    ],
    [
      'a token and basic auth at once',
      { address: 'http://p:9090', bearerToken: 't', basicAuth: { username: 'u', password: 'p' } },
      'not both',
    ],
  ])('refuses %s', (_case, options, message) => {
    const create = () => createPrometheusProvider({ timeoutMs: 1000, ...options });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });

  it('does not echo credentials in the address back', () => {
    expect(() =>
      createPrometheusProvider({ address: 'http://user:pa55word@p:9090', timeoutMs: 1000 }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('pa55word') }));
  });

  it.each(['http://p:9090', 'https://p.example/prometheus/', 'http://127.0.0.1:9090/'])(
    'accepts %s',
    (address) => {
      expect(createPrometheusProvider({ address, timeoutMs: 1000 })).toHaveProperty('query');
    },
  );
});
