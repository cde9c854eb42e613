import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { statusCode } from '../support.ts';
import { recordStatuses } from './recorder.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';
import type { OperatorProcess } from './harness.ts';
import { initialized } from './fixtures.ts';

type HttpRoute = {
  spec: {
    rules: Array<{
      matches?: Array<{ headers?: Array<{ name: string; value: string; type?: string }> }>;
      backendRefs: Array<{ name: string; weight: number }>;
    }>;
  };
};

// A/B testing and blue/green through the real operator; deletion with revertOnDeletion; a Canary
// whose target does not exist; the operator's own /metrics and its graceful stop.
describe('operator: strategies, deletion, stalls', () => {
  let env: OperatorEnv;
  let op: OperatorProcess;
  beforeAll(async () => {
    env = await operatorEnv('strategies');
    op = await env.startOperator();
  });
  afterAll(async () => env?.teardown());
  const route = (name: string) =>
    env.f.custom.getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: env.ns,
      plural: 'httproutes',
      name,
    }) as Promise<HttpRoute>;

  it('A/B tests: matched traffic goes to the canary for the iterations, then promotes', async () => {
    const { f } = env;
    const match = [{ headers: { 'x-canary': { exact: 'insider' } } }];
    await env.release(
      'ab',
      env.canarySpec('ab', { maxWeight: undefined, stepWeight: undefined, iterations: 3, match }),
    );
    await f.setImage('ab', 'example/ab:2');
    await f.waitForStatus(
      'ab',
      'first iteration',
      (s) => s.phase === 'Progressing' && (s.iterations ?? 0) >= 1,
    );
    const during = await route('ab');
    expect(during.spec.rules).toHaveLength(2);
    expect(during.spec.rules[0]!.matches?.[0]?.headers).toEqual([
      { name: 'x-canary', type: 'Exact', value: 'insider' },
    ]);
    expect(Object.fromEntries(during.spec.rules[0]!.backendRefs.map((b) => [b.name, b.weight]))).toEqual({
      'ab-primary': 0,
      'ab-canary': 100,
    });
    // Unmatched traffic stays on the primary.
    const rest = Object.fromEntries(during.spec.rules[1]!.backendRefs.map((b) => [b.name, b.weight]));
    expect(rest['ab-primary']).toBe(100);
    expect(rest['ab-canary'] ?? 0).toBe(0);
    const done = await f.waitForStatus('ab', 'Succeeded', (s) => s.phase === 'Succeeded');
    expect(done.iterations).toBeGreaterThanOrEqual(3);
    expect((await f.readDeployment('ab-primary')).spec?.template.spec?.containers[0]?.image).toBe(
      'example/ab:2',
    );
  });

  it('blue/green on plain Services: the apex selector switches to the canary, then back to the promoted primary', async () => {
    const { f } = env;
    const spec = env.canarySpec('bg', { maxWeight: undefined, stepWeight: undefined, iterations: 2 });
    await env.release('bg', { ...spec, provider: 'kubernetes', service: { port: 80 } });
    const rec = await recordStatuses(env.kc, env.ns, 'bg');
    await f.setImage('bg', 'example/bg:2');
    const selectors = new Set<string>();
    await waitFor('the apex Service to select the canary pods', async () => {
      const svc = await f.core.readNamespacedService({ name: 'bg', namespace: env.ns });
      selectors.add(svc.spec?.selector?.['app'] ?? '');
      return svc.spec?.selector?.['app'] === 'bg';
    });
    await f.waitForStatus('bg', 'Succeeded', (s) => s.phase === 'Succeeded');
    rec.stop();
    const apex = await f.core.readNamespacedService({ name: 'bg', namespace: env.ns });
    expect(apex.spec?.selector).toEqual({ app: 'bg-primary' });
    expect((await f.readDeployment('bg-primary')).spec?.template.spec?.containers[0]?.image).toBe(
      'example/bg:2',
    );
    expect(rec.statuses().every((s) => [0, 100].includes(s.canaryWeight ?? 0))).toBe(true);
  });

  it('reverts traffic and replicas to the target on deletion with revertOnDeletion, then lets the Canary go', async () => {
    const { f } = env;
    await env.release('gone', env.canarySpec('gone', {}, { revertOnDeletion: true }));
    const live = await f.getCanary('gone');
    expect((live as unknown as { metadata: { finalizers?: string[] } }).metadata.finalizers).toContain(
      'fledge.dev/revert-on-deletion',
    );
    expect((await f.readDeployment('gone')).spec?.replicas).toBe(0);
    await f.deleteCanary('gone');
    await waitFor('the Canary to be gone', async () => {
      try {
        await f.getCanary('gone');
        return false;
      } catch (err) {
        return statusCode(err) === 404;
      }
    });
    expect((await f.readDeployment('gone')).spec?.replicas).toBe(2);
    const r = await route('gone').catch(() => undefined);
    if (r) expect(r.spec.rules[0]!.backendRefs.map((b) => b.name)).toEqual(['gone']);
  });

  it('reports a missing target as Stalled with an Event, and recovers when it appears', async () => {
    const { f } = env;
    env.setSuccessRate('late', 99);
    await f.createCanary('late', env.canarySpec('late'));
    const stalled = await f.waitForStatus('late', 'Stalled', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
    );
    expect(stalled.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({
      reason: 'TargetNotFound',
      message: `Deployment ${env.ns}/late not found`,
    });
    expect((await f.events('late')).map((e) => [e.type, e.reason])).toContainEqual([
      'Warning',
      'TargetNotFound',
    ]);
    await f.createDeployment(f.deployment('late', 'example/late:1'));
    const ready = await f.waitForStatus('late', 'Initialized', initialized);
    expect(ready.conditions?.find((c) => c.type === 'Stalled')).toBeUndefined();
    expect(ready.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('shows a failing effect on the Canary (missing Ingress), retries, and recovers when it appears', async () => {
    const { f } = env;
    env.setSuccessRate('edge', 99);
    await f.createDeployment(f.deployment('edge', 'example/edge:1'));
    const spec = env.canarySpec('edge');
    await f.createCanary('edge', {
      ...spec,
      provider: 'nginx',
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'edge' },
      service: { port: 80 },
    });
    const waiting = await f.waitForStatus('edge', 'a ReconcileError', (s) =>
      (s.conditions ?? []).some((c) => c.reason === 'ReconcileError'),
    );
    expect(waiting.conditions?.find((c) => c.type === 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'ReconcileError',
    });
    expect(waiting.message).toMatch(/Ingress .*edge/);
    expect((await f.events('edge')).map((e) => [e.type, e.reason])).toContainEqual([
      'Warning',
      'ReconcileError',
    ]);
    await f.custom.createNamespacedCustomObject({
      group: 'networking.k8s.io',
      version: 'v1',
      namespace: env.ns,
      plural: 'ingresses',
      body: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'edge' },
        spec: {
          rules: [
            {
              host: 'edge.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'edge', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    const ready = await f.waitForStatus('edge', 'Initialized', initialized, 60_000);
    expect(ready.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(ready.conditions?.find((c) => c.type === 'Reconciling')).toBeUndefined();
    const clone = (await f.custom.getNamespacedCustomObject({
      group: 'networking.k8s.io',
      version: 'v1',
      namespace: env.ns,
      plural: 'ingresses',
      name: 'edge-canary',
    })) as { metadata: { annotations: Record<string, string> } };
    expect(clone.metadata.annotations['nginx.ingress.kubernetes.io/canary']).toBeDefined();
  });

  it('exports per-canary metrics and stops gracefully on SIGTERM', async () => {
    const text = await (await fetch(`${op.metricsUrl}/metrics`)).text();
    expect(text).toMatch(
      new RegExp(`fledge_canary_phase_info\\{namespace="${env.ns}",name="ab",phase="Succeeded"\\} 1`),
    );
    expect(text).toMatch(new RegExp(`fledge_canary_weight\\{namespace="${env.ns}",name="ab"\\} 0`));
    expect(text).toMatch(/fledge_reconcile_total\{result="success"\} \d+/);
    expect(text).toMatch(/fledge_reconcile_duration_seconds_count \d+/);
    expect((await fetch(`${op.metricsUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${op.metricsUrl}/readyz`)).status).toBe(200);
    await op.stop();
    expect(await op.exited).toBe(0);
    // 'exit' can come before the last of stdout has been read.
    await op.waitForLog(/"msg":"stopped"/);
  });
});
