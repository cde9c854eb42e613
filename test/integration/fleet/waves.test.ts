import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { runCli } from '../cli/run-cli.ts';
import { argoFleetHealth } from '../gitops/argocd.ts';
import { kstatusTool, type Kstatus } from '../gitops/kstatus.ts';
import type { CanaryStatus } from '../../../operator/src/api/index.ts';
import type { OperatorProcess } from '../operator/harness.ts';
import { reconcileCount } from '../operator/setup.ts';
import { fleetEnv, type FleetEnv } from './fleet-env.ts';

// One release across three real control planes: the hub (the shared test cluster) runs the fleet
// controller; two member clusters each run their own fledge operator over the same app, held at a
// manual confirm-rollout gate. Wave "first" is member m1, wave "rest" member m2.
describe('fleet: one release, wave by wave, across member clusters', () => {
  let env: FleetEnv;
  let firstHub: OperatorProcess;
  const app = 'web';
  const statusOf = async (m: string) => (await env.member(m).f.getCanary(app)).status ?? ({} as CanaryStatus);
  const primaryImage = async (m: string) =>
    (await env.member(m).f.readDeployment(`${app}-primary`)).spec?.template.spec?.containers[0]?.image;
  const accepted = async (m: string) =>
    (await env.member(m).f.events(app))
      .filter((e) => e.reason === 'CommandAccepted')
      .reduce((n, e) => n + (e.count ?? 1), 0);
  const setImage = (image: string) => Promise.all(env.members.map((m) => m.f.setImage(app, image)));

  let kstatus: (obj: unknown) => Promise<Kstatus>;

  beforeAll(async () => {
    kstatus = await kstatusTool();
    env = await fleetEnv(['m1', 'm2']);
    await env.deployApp(app);
    await env.registerMember('m1', { 'fledge.dev/fleet': 'shop', wave: 'first' });
    // m2 as Argo CD describes a cluster: its hub's ApplicationSets and the fleet share one Secret.
    await env.registerMember('m2', { 'fledge.dev/fleet': 'shop', wave: 'rest' }, 'argocd');
    await env.createFleet(app, {
      canaryRef: { namespace: 'shop', name: app },
      clusters: 'fledge.dev/fleet=shop',
      waves: [
        { name: 'first', clusters: 'wave=first', soakTime: '3s' },
        { name: 'rest', clusters: '' },
      ],
    });
    firstHub = await env.startHub();
    await env.waitForFleet(app, 'Idle', (s) => s.phase === 'Idle');
  }, 180_000);
  afterAll(async () => env?.teardown());

  it('halts a bad release in wave 1: m1 rolls back, m2 never leaves its gate, the fleet names cluster and check', async () => {
    env.setSuccessRate('m1', 50);
    env.setSuccessRate('m2', 50);
    await setImage('example/web:2');
    const halted = await env.waitForFleet(app, 'Halted', (s) => s.phase === 'Halted');
    expect(halted.release?.id).toBe('app=example/web:2');
    expect(halted.halted).toMatchObject({ cluster: 'm1', wave: 'first', check: 'success-rate' });
    expect(halted.message).toMatch(
      /^halted in wave first: m1 rolled back app=example\/web:2 \(check success-rate/,
    );
    expect(halted.waves?.map((w) => [w.name, w.phase])).toEqual([
      ['first', 'Halted'],
      ['rest', 'Pending'],
    ]);
    expect((await statusOf('m1')).phase).toBe('Failed');
    expect(await primaryImage('m1')).toBe('example/web:1');
    // m2 analysed nothing: held at its gate, all traffic on an untouched primary, no command.
    const m2 = await env.waitForFleet(
      app,
      'm2 seen at its gate',
      (s) => s.clusters?.some((c) => c.name === 'm2' && c.phase === 'Waiting') ?? false,
    );
    expect(m2.clusters?.find((c) => c.name === 'm2')?.approvedRevision).toBeUndefined();
    const m2Status = await statusOf('m2');
    expect(m2Status.phase).toBe('Waiting');
    expect(m2Status.canaryWeight ?? 0).toBe(0);
    expect(m2Status.lastCommand).toBeUndefined();
    expect(await primaryImage('m2')).toBe('example/web:1');
    const reasons = (await env.fleetEvents(app)).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ReleaseStarted', 'GateOpened', 'Halted']));
    // GitOps health of the hub's object: Argo CD (the shipped Lua) and Flux (kstatus) both say failed.
    const halted0 = await env.fleetObject(app);
    expect(await argoFleetHealth(halted0)).toMatchObject({ status: 'Degraded' });
    expect((await kstatus(halted0)).status).toBe('Failed');
    // The CLI on the hub: the grid, and exit 1 for a halted release.
    const cli = await runCli(inject('kubeconfig'), ['fleet', 'status', app, '-n', env.hubNs]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/Halted {2}release app=example\/web:2/);
    expect(cli.stdout).toMatch(/^ {2}m1 {2}Failed.*failed success-rate/m);
    expect(cli.stdout).toMatch(/^ {2}m2 {2}Waiting/m);
  });

  it('promotes a good release wave by wave, through hub crashes, opening each gate once', async () => {
    env.setSuccessRate('m1', 99);
    env.setSuccessRate('m2', 99);
    const acceptedBefore = { m1: await accepted('m1'), m2: await accepted('m2') };
    // A second hub, with the first still running: two writers until the kill below.
    const second = await env.startHub();
    await setImage('example/web:3');
    await env.waitForFleet(app, 'the release of web:3 started', (s) => s.release?.id === 'app=example/web:3');
    // Followed live from the hub until the verdict.
    const watching = runCli(inject('kubeconfig'), [
      'fleet',
      'status',
      app,
      '-n',
      env.hubNs,
      '--watch',
      '--no-tty',
    ]);
    // SIGKILL the hubs while m1 analyses, and again while wave 1 soaks; a new hub resumes from status.
    await waitFor('m1 analysing web:3', async () => (await statusOf('m1')).phase === 'Progressing', {
      timeoutMs: 30_000,
    });
    await Promise.all([firstHub.kill(), second.kill()]);
    const third = await env.startHub();
    await env.waitForFleet(app, 'wave first soaking', (s) => s.waves?.[0]?.phase === 'Soaking');
    await third.kill();
    await env.startHub();
    const done = await env.waitForFleet(app, 'Succeeded', (s) => s.phase === 'Succeeded', 90_000);
    expect(done.waves?.map((w) => [w.name, w.phase])).toEqual([
      ['first', 'Succeeded'],
      ['rest', 'Succeeded'],
    ]);
    expect(done.halted).toBeUndefined();
    expect(await primaryImage('m1')).toBe('example/web:3');
    expect(await primaryImage('m2')).toBe('example/web:3');
    // Each gate opened once: one accepted command per member for this release.
    expect((await accepted('m1')) - acceptedBefore.m1).toBe(1);
    expect((await accepted('m2')) - acceptedBefore.m2).toBe(1);
    // m2's gate opened only after wave 1 promoted and soaked (member clocks are this machine's).
    const m2Handled = Date.parse((await statusOf('m2')).lastCommand!.time);
    const wave1Promoted = Date.parse(done.waves![0]!.promotedAt!);
    expect(m2Handled - wave1Promoted).toBeGreaterThanOrEqual(3000);
    expect((await env.fleetEvents(app)).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['WaveSucceeded', 'Succeeded']),
    );
    const succeeded0 = await env.fleetObject(app);
    expect(await argoFleetHealth(succeeded0)).toMatchObject({ status: 'Healthy' });
    expect((await kstatus(succeeded0)).status).toBe('Current');
    const watched = await watching;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/wave first {2}Soaking/);
    expect(watched.stdout.trimEnd().split('\n').slice(-6).join('\n')).toMatch(
      /Succeeded {2}release app=example\/web:3/,
    );
  });

  it('keeps every gate closed while no hub runs, and resumes when one starts', async () => {
    await env.killHubs();
    const before = { m1: await statusOf('m1'), m2: await statusOf('m2') };
    await setImage('example/web:4');
    for (const m of ['m1', 'm2']) {
      await waitFor(`${m} waiting at its gate for web:4`, async () => {
        const s = await statusOf(m);
        return s.phase === 'Waiting' && s.lastAppliedSpec !== before[m as 'm1' | 'm2'].lastAppliedSpec;
      });
    }
    // Several more passes of each member operator: still held, nothing opened the gates.
    const passes = await Promise.all(env.members.map((m) => reconcileCount(m.operator.metricsUrl)));
    await waitFor('three more passes in each member', async () =>
      (await Promise.all(env.members.map((m) => reconcileCount(m.operator.metricsUrl)))).every(
        (n, i) => n >= passes[i]! + 3,
      ),
    );
    for (const m of ['m1', 'm2'] as const) {
      const s = await statusOf(m);
      expect(s.phase).toBe('Waiting');
      expect(s.canaryWeight ?? 0).toBe(0);
      expect(s.lastCommand?.id).toBe(before[m].lastCommand?.id);
      expect(await primaryImage(m)).toBe('example/web:3');
    }
    await env.startHub();
    const done = await env.waitForFleet(
      app,
      'web:4 Succeeded',
      (s) => s.release?.id === 'app=example/web:4' && s.phase === 'Succeeded',
      90_000,
    );
    expect(done.clusters?.map((c) => c.phase)).toEqual(['Succeeded', 'Succeeded']);
    expect(await primaryImage('m2')).toBe('example/web:4');
  });
});
