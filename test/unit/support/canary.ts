import { parseCanary, type Canary } from '../../../operator/src/api/index.ts';

/**
 * A valid, defaulted Canary `shop/web` on gatewayapi for unit tests: `analysis` fields are merged
 * over an interval of 30s, `spec` fields over the rest of the spec. Throws if the result is invalid.
 */
export function testCanary(analysis: Record<string, unknown>, spec: Record<string, unknown> = {}): Canary {
  const parsed = parseCanary({
    apiVersion: 'fledge.dev/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
    spec: {
      provider: 'gatewayapi',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      service: { port: 80, gatewayRefs: [{ name: 'gw' }] },
      analysis: { interval: '30s', ...analysis },
      ...spec,
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}
