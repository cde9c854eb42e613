import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialized } from './fixtures.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

// noCrossNamespaceRefs: a Canary that uses another namespace's MetricTemplate is Stalled with the
// field named, and nothing of its release is created; its own namespace's templates work.
describe('operator: noCrossNamespaceRefs', () => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await operatorEnv('tenancy');
    await env.startOperator({ FLEDGE_NO_CROSS_NAMESPACE_REFS: 'true' });
  });
  afterAll(async () => env?.teardown());

  it("stalls a Canary using another namespace's template, and runs one using its own", async () => {
    const { f } = env;
    const foreign = env.canarySpec('borrower');
    (foreign.analysis.metrics[0]!.templateRef as { namespace?: string }).namespace = 'fledge-system';
    await f.createDeployment(f.deployment('borrower', 'example/borrower:1'));
    await f.createCanary('borrower', foreign);
    const stalled = await f.waitForStatus('borrower', 'Stalled', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
    );
    expect(stalled.message).toContain(
      'spec.analysis.metrics[0].templateRef.namespace: fledge-system: references to another namespace are refused (noCrossNamespaceRefs)',
    );
    await expect(f.readDeployment('borrower-primary')).rejects.toMatchObject({ code: 404 });

    await env.release('owner', env.canarySpec('owner'));
    expect((await f.getCanary('owner')).status).toSatisfy((s) => initialized(s as never));
  });
});
