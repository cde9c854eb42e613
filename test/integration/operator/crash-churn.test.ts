import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../../operator/src/controller.ts';
import { waitFor } from '../../env/wait.ts';
import type { OperatorProcess } from './harness.ts';
import { startReceiver } from './receiver.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

type Route = {
  metadata: { name: string };
  spec?: { rules?: Array<{ backendRefs?: Array<{ weight?: number }> }> };
};

// The pass under faults on the real control plane: the operator is SIGKILLed every few seconds
// through a good and a bad release of several canaries, while another client keeps changing
// every Canary's labels and annotations (as a GitOps agent does). Every good release must be
// promoted and every bad one rolled back, primaries on the right image, every route version
// ever written splitting exactly 100, and no Event or alert told twice.
describe('operator: SIGKILLs and a second writer of Canary metadata', () => {
  let env: OperatorEnv;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const good = ['good-a', 'good-b'];
  const bad = ['bad-a', 'bad-b'];
  const all = [...good, ...bad];

  beforeAll(async () => {
    env = await operatorEnv('churn');
    receiver = await startReceiver();
    await env.f.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: env.ns,
      plural: 'alertproviders',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'AlertProvider',
        metadata: { name: 'hook' },
        spec: { type: 'generic', address: `${receiver.base}/alerts` },
      },
    });
  });
  afterAll(async () => {
    receiver?.server.close();
    await env?.teardown();
  });

  it('promotes every good release and rolls back every bad one, each step and notice once', async () => {
    const { f } = env;
    let operator: OperatorProcess = await env.startOperator();
    for (const app of all) {
      await env.release(
        app,
        env.canarySpec(app, {
          interval: '2s',
          threshold: 3,
          stepWeight: 20,
          maxWeight: 80,
          alerts: [{ name: 'hook', severity: 'info', providerRef: { name: 'hook' } }],
        }),
      );
    }

    // Every version of every HTTPRoute, as the API server stored it.
    const routeVersions: Route[] = [];
    const routeWatch = await new Watch(env.kc).watch(
      `/apis/gateway.networking.k8s.io/v1/namespaces/${env.ns}/httproutes`,
      {},
      (_type: string, obj: Route) => void routeVersions.push(obj),
      () => {},
    );

    // The second writer: a label and an annotation on every Canary, as often as it can.
    let churning = true;
    let metadataWrites = 0;
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const churn = (async () => {
      for (let i = 0; churning && i < 5000; i++) {
        await Promise.all(
          all.map((name) =>
            f.custom
              .patchNamespacedCustomObject(
                {
                  group: GROUP,
                  version: VERSION,
                  namespace: env.ns,
                  plural: 'canaries',
                  name,
                  body: {
                    metadata: { labels: { churn: String(i) }, annotations: { 'gitops/sync': String(i) } },
                  },
                },
                merge,
              )
              .then(() => void (metadataWrites += 1)),
          ),
        );
      }
    })();

    for (const app of bad) env.setSuccessRate(app, 50);
    for (const app of all) await f.setImage(app, `example/${app}:2`);

    // The crasher: SIGKILL, start a new operator, again, until every release is over.
    const done = async () => {
      const phases = await Promise.all(all.map(async (a) => (await f.getCanary(a)).status?.phase));
      return phases.every((p, i) => (i < good.length ? p === 'Succeeded' : p === 'Failed'));
    };
    let kills = 0;
    const deadline = Date.now() + 150_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`releases did not finish after ${kills} kills`);
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 2000));
      if (await done()) break;
      await operator.kill();
      kills += 1;
      operator = await env.startOperator();
    }
    churning = false;
    await churn;
    // Whatever the last operator still does (finalising, Events) settles before the checks.
    await waitFor('the last alerts to settle', async () => {
      const before = receiver.received.length;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return receiver.received.length === before;
    });
    routeWatch.abort();
    await operator.stop();
    console.log(
      `crash-churn: ${kills} SIGKILLs, ${metadataWrites} metadata writes, ${routeVersions.length} route versions`,
    );
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(metadataWrites).toBeGreaterThan(50);

    for (const app of good) {
      const c = await f.getCanary(app);
      expect(c.status?.phase).toBe('Succeeded');
      expect(c.status?.lastPromotedSpec).toBe(c.status?.lastAppliedSpec);
      const primary = await f.readDeployment(`${app}-primary`);
      expect(primary.spec?.template.spec?.containers[0]?.image).toBe(`example/${app}:2`);
    }
    for (const app of bad) {
      const c = await f.getCanary(app);
      expect(c.status?.phase).toBe('Failed');
      const primary = await f.readDeployment(`${app}-primary`);
      expect(primary.spec?.template.spec?.containers[0]?.image).toBe(`example/${app}:1`);
      expect(c.status?.canaryWeight).toBe(0);
    }
    // Every route the operator ever wrote split exactly 100 between primary and canary.
    expect(routeVersions.length).toBeGreaterThan(all.length);
    for (const r of routeVersions) {
      for (const rule of r.spec?.rules ?? []) {
        const sum = (rule.backendRefs ?? []).reduce((s, b) => s + (b.weight ?? 0), 0);
        expect(sum, `HTTPRoute ${r.metadata.name}`).toBe(100);
      }
    }
    // One-shot notices of the release: each Event once (count 1, one object), each alert at most once.
    for (const app of all) {
      const events = await f.events(app);
      // A failed check may repeat its message at the next step; every other notice names its step.
      const notices = events.filter((e) => e.reason !== 'CheckFailed');
      const told = notices.map((e) => `${e.reason}: ${e.message}`);
      expect(new Set(told).size, `${app} Events ${JSON.stringify(told)}`).toBe(told.length);
      expect(notices.every((e) => (e.count ?? 1) === 1)).toBe(true);
      const end = good.includes(app) ? 'Succeeded' : 'RolledBack';
      for (const reason of ['NewRevision', end])
        expect(
          notices.filter((e) => e.reason === reason),
          `${app} ${reason}`,
        ).toHaveLength(1);
      const alerts = receiver.received
        .filter((r) => r.body['name'] === app)
        .map((r) => String(r.body['message']));
      expect(new Set(alerts).size, `${app} alerts ${JSON.stringify(alerts)}`).toBe(alerts.length);
    }
  }, 240_000);
});
