import { inject } from 'vitest';
import { startPrometheus, type Prometheus } from '../../env/prometheus.ts';
import { providerCrdFile } from '../../env/provider-crds.ts';
import { installFledgeCrds } from '../crds.ts';
import { testKubeConfig, testNamespace } from '../support.ts';
import { fixtures, gatewayCanarySpec, startGaugeTarget, initialized } from './fixtures.ts';
import { startOperator, type OperatorProcess } from './harness.ts';

/**
 * What every operator test file needs: its own namespace, the CRDs, a gauge target scraped by a
 * real Prometheus, a `success-rate` MetricTemplate over that gauge, and a way to start operators.
 */
export async function operatorEnv(prefix: string) {
  const kc = testKubeConfig();
  const ns = await testNamespace(kc, prefix);
  const f = fixtures(kc, ns.name);
  await installFledgeCrds(kc, [providerCrdFile('gatewayapi')]);
  const target = await startGaugeTarget();
  const setSuccessRate = (app: string, v: number) =>
    target.set(`test_success_rate{namespace="${ns.name}",target="${app}"}`, v);
  const prometheus: Prometheus = await startPrometheus({
    scrape: [{ job: 'app', targets: [target.address] }],
  });
  await f.createMetricTemplate(
    'success-rate',
    prometheus.url,
    'max(test_success_rate{namespace="{{ namespace }}", target="{{ target }}"})',
  );
  const operators: OperatorProcess[] = [];
  return {
    kc,
    ns: ns.name,
    f,
    prometheus,
    setSuccessRate,
    startOperator: async (env: Record<string, string> = {}) => {
      const op = await startOperator({ kubeconfig: inject('kubeconfig'), namespace: ns.name, env });
      operators.push(op);
      return op;
    },
    /** A gatewayapi Canary over the success-rate template; `analysis` overrides the defaults. */
    canarySpec: gatewayCanarySpec,
    /** Creates the Deployment and its Canary and waits for initialization. */
    release: async (app: string, spec: Record<string, unknown>, labels?: Record<string, string>) => {
      setSuccessRate(app, 99);
      await prometheus.waitForSeries(`test_success_rate{namespace="${ns.name}",target="${app}"}`);
      await f.createDeployment(f.deployment(app, `example/${app}:1`));
      await f.createCanary(app, spec, labels);
      await f.waitForStatus(app, 'Initialized', initialized);
    },
    teardown: async () => {
      await Promise.all(operators.map((o) => o.stop()));
      await prometheus.stop();
      target.close();
      await ns.remove();
    },
  };
}
export type OperatorEnv = Awaited<ReturnType<typeof operatorEnv>>;

/** The operator's own counter of reconcile passes, read from its /metrics. */
export async function reconcileCount(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('fledge_reconcile_total'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
