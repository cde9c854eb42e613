import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

// A target applied by Flux (or Argo CD) carries the agent's inventory labels and annotations. The
// objects fledge generates are not in Git: they must not carry those keys (the agent would count
// them as its own and prune them), and they carry Flux's opt-outs from drift correction.
describe('operator: GitOps metadata on generated objects', () => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await operatorEnv('gitopsmeta');
    await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  it('keeps inventory keys off the primary and marks every generated object hands-off', async () => {
    const { f } = env;
    const target = f.deployment('shop', 'example/shop:1');
    target.metadata = {
      ...target.metadata,
      labels: {
        team: 'a',
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      },
      annotations: { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:x/shop' },
    };
    env.setSuccessRate('shop', 99);
    // The release below is analysed on this series: Prometheus must have scraped it first.
    await env.prometheus.waitForSeries(`test_success_rate{namespace="${env.ns}",target="shop"}`);
    await f.createDeployment(target);
    await f.createCanary('shop', env.canarySpec('shop'));
    await f.waitForStatus('shop', 'Initialized', (s) => s.phase === 'Initialized');

    const primary = await f.readDeployment('shop-primary');
    expect(primary.metadata?.labels).toMatchObject({ team: 'a', app: 'shop-primary' });
    const keys = [
      ...Object.keys(primary.metadata?.labels ?? {}),
      ...Object.keys(primary.metadata?.annotations ?? {}),
    ];
    expect(
      keys.filter((k) => k.includes('toolkit.fluxcd.io/name') || k.includes('toolkit.fluxcd.io/namespace')),
    ).toEqual([]);
    expect(keys).not.toContain('argocd.argoproj.io/tracking-id');
    expect(primary.metadata?.annotations).toMatchObject(GITOPS_OPT_OUT);

    for (const name of ['shop', 'shop-primary', 'shop-canary']) {
      const svc = await f.core.readNamespacedService({ name, namespace: env.ns });
      expect(svc.metadata?.annotations, name).toMatchObject(GITOPS_OPT_OUT);
    }
    const route = (await f.custom.getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: env.ns,
      plural: 'httproutes',
      name: 'shop',
    })) as { metadata: { annotations?: Record<string, string> } };
    expect(route.metadata.annotations).toMatchObject(GITOPS_OPT_OUT);

    // A primary an older fledge wrote with the target's Flux label loses it at its next promotion.
    await f.apps.patchNamespacedDeployment(
      {
        name: 'shop-primary',
        namespace: env.ns,
        body: { metadata: { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await f.setImage('shop', 'example/shop:2');
    await f.waitForStatus('shop', 'Succeeded', (s) => s.phase === 'Succeeded');
    const promoted = await f.readDeployment('shop-primary');
    expect(promoted.spec?.template.spec?.containers[0]?.image).toBe('example/shop:2');
    expect(promoted.metadata?.labels).not.toHaveProperty('kustomize.toolkit.fluxcd.io/name');
    expect(promoted.metadata?.annotations).toMatchObject(GITOPS_OPT_OUT);
  });
});
