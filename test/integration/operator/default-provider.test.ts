import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialized } from './fixtures.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

const withoutProvider = (spec: Record<string, unknown>) => {
  const { provider: _provider, ...rest } = spec;
  return rest;
};

// Flagger takes a Canary's provider from its -mesh-provider flag; fledge from --mesh-provider.
describe('operator: --mesh-provider', () => {
  describe('set to gatewayapi', () => {
    let env: OperatorEnv;
    beforeAll(async () => {
      env = await operatorEnv('meshdefault');
      await env.startOperator({ FLEDGE_MESH_PROVIDER: 'gatewayapi' });
    });
    afterAll(async () => env?.teardown());

    it('runs a Canary without spec.provider as gatewayapi, and stalls one its rules refuse', async () => {
      const { f } = env;
      await env.release('implicit', withoutProvider(env.canarySpec('implicit')));
      const route = await f.custom.getNamespacedCustomObject({
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        namespace: env.ns,
        plural: 'httproutes',
        name: 'implicit',
      });
      expect(route).toMatchObject({ kind: 'HTTPRoute' });

      // No gatewayRefs: admitted (admission cannot know the default), refused by the operator.
      const spec = withoutProvider(env.canarySpec('loose'));
      spec['service'] = { port: 80 };
      await f.createDeployment(f.deployment('loose', 'example/loose:1'));
      await f.createCanary('loose', spec);
      const stalled = await f.waitForStatus('loose', 'Stalled', (s) =>
        (s.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
      );
      expect(stalled.message).toContain(
        'spec.service.gatewayRefs: service.gatewayRefs is required when provider is gatewayapi',
      );
    });
  });

  describe('not set', () => {
    let env: OperatorEnv;
    beforeAll(async () => {
      env = await operatorEnv('meshnone');
      await env.startOperator();
    });
    afterAll(async () => env?.teardown());

    it('stalls a Canary without spec.provider, naming both places to set one', async () => {
      const { f } = env;
      await f.createDeployment(f.deployment('orphan', 'example/orphan:1'));
      await f.createCanary('orphan', withoutProvider(env.canarySpec('orphan')));
      const stalled = await f.waitForStatus('orphan', 'Stalled', (s) =>
        (s.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
      );
      expect(stalled.message).toMatch(/spec\.provider: not set, and the operator has no default provider/);
      expect(stalled.message).toContain('--mesh-provider (chart value meshProvider)');
      await expect(f.readDeployment('orphan-primary')).rejects.toMatchObject({ code: 404 });
      expect(initialized(stalled)).toBe(false);
    });
  });
});
