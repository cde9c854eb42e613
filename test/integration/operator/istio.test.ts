import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordStatuses } from './recorder.ts';
import { installIstioCRDs } from '../routers/setup.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

interface VirtualService {
  spec: {
    hosts: string[];
    gateways: string[];
    http: { route: { destination: { host: string }; weight: number }[] }[];
  };
}

// provider istio end to end on the real control plane with Istio's own CRDs: the operator writes
// the DestinationRules and steps the VirtualService's weights as the status says.
describe('operator: provider istio', () => {
  let env: OperatorEnv;
  let custom: CustomObjectsApi;
  beforeAll(async () => {
    env = await operatorEnv('istio');
    await installIstioCRDs(inject('kubeconfig'));
    custom = env.kc.makeApiClient(CustomObjectsApi);
    await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  const get = async (plural: string, name: string) =>
    (await custom.getNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: env.ns,
      plural,
      name,
    })) as Record<string, unknown>;
  const canaryWeightOf = (vs: VirtualService) =>
    vs.spec.http[0]?.route.find((r) => r.destination.host === 'mesh-app-canary')?.weight;

  it('initializes the VirtualService and DestinationRules, and promotes a release step by step', async () => {
    const spec = env.canarySpec(
      'mesh-app',
      {},
      {
        provider: 'istio',
        service: {
          port: 80,
          hosts: ['app.example.com'],
          gateways: ['istio-ingress/public'],
          trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
        },
      },
    );
    await env.release('mesh-app', spec);
    const vs = (await get('virtualservices', 'mesh-app')) as unknown as VirtualService;
    expect(vs.spec.hosts).toEqual(['app.example.com', 'mesh-app']);
    expect(vs.spec.gateways).toEqual(['istio-ingress/public']);
    expect(canaryWeightOf(vs)).toBe(0);
    for (const name of ['mesh-app-primary', 'mesh-app-canary']) {
      expect((await get('destinationrules', name))['spec']).toEqual({
        host: name,
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      });
    }

    const rec = await recordStatuses(env.kc, env.ns, 'mesh-app');
    await env.f.setImage('mesh-app', 'example/mesh-app:2');
    const done = await env.f.waitForStatus('mesh-app', 'Succeeded', (s) => s.phase === 'Succeeded');
    rec.stop();
    expect(done.failedChecks).toBe(0);
    expect(rec.steps().filter((x) => x.startsWith('Progressing:'))).toEqual([
      'Progressing:0',
      'Progressing:20',
      'Progressing:40',
      'Progressing:60',
    ]);
    const after = (await get('virtualservices', 'mesh-app')) as unknown as VirtualService;
    expect(canaryWeightOf(after)).toBe(0);
    const primary = await env.f.readDeployment('mesh-app-primary');
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('example/mesh-app:2');
  });
});
