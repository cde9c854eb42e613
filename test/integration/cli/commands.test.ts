import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { binaries } from '../../env/binaries.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inject } from 'vitest';
import { COMMAND_ANNOTATION } from '../../../operator/src/api/index.ts';
import { waitFor } from '../../env/wait.ts';
import type { OperatorProcess } from '../operator/harness.ts';
import { operatorEnv, reconcileCount, type OperatorEnv } from '../operator/setup.ts';
import { recordStatuses } from '../operator/recorder.ts';
import { argoAction, argoActions, argoHealth } from '../gitops/argocd.ts';
import { kstatusTool, type Kstatus } from '../gitops/kstatus.ts';
import { cliBin, runCli } from './run-cli.ts';

// A release driven by hand with the kubectl plugin, against the real operator: every command is
// the CLI as its own process, its exit code and message, and what the operator then did. The
// Argo CD health and action scripts run (real Lua 5.1) on the objects the operator wrote, and
// Flux's health (kstatus, Go) is computed for the same objects.
describe('kubectl fledge: manual control', () => {
  let env: OperatorEnv;
  let op: OperatorProcess;
  let kstatus: (obj: unknown) => Promise<Kstatus>;
  const cli = (...args: string[]) => runCli(inject('kubeconfig'), [...args, '-n', env.ns]);
  /** One series of the operator's /metrics, by its exact text up to the value. */
  const metric = async (series: string) => {
    const line = (await (await fetch(`${op.metricsUrl}/metrics`)).text())
      .split('\n')
      .find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const image = async (name: string) =>
    (await env.f.readDeployment(name)).spec?.template.spec?.containers[0]?.image;

  beforeAll(async () => {
    kstatus = await kstatusTool();
    env = await operatorEnv('cli');
    op = await env.startOperator();
  });
  afterAll(async () => env?.teardown());

  it('promote opens a manual gate: the release waits at it until then, and goes on at once after', async () => {
    const { f } = env;
    const webhooks = [
      { name: 'go', type: 'confirm-rollout' },
      { name: 'ship', type: 'confirm-promotion' },
    ];
    await env.release('gated', env.canarySpec('gated', { webhooks, maxWeight: 40 }));
    await f.setImage('gated', 'example/gated:2');
    const waiting = await f.waitForStatus('gated', 'Waiting', (s) => s.phase === 'Waiting');
    expect(waiting.canaryWeight).toBe(0);
    const atGate = await f.getCanary('gated');
    expect(await argoHealth(atGate)).toMatchObject({ status: 'Suspended' });
    expect(await kstatus(atGate)).toMatchObject({ status: 'InProgress' });
    expect(await argoActions(atGate)).toMatchObject({
      promote: { disabled: false },
      retry: { disabled: true },
    });

    const rollout = await cli('promote', 'gated');
    expect(rollout).toMatchObject({ code: 0 });
    expect(rollout.stdout).toContain(`promote of revision ${waiting.lastAppliedSpec} accepted`);
    const held = await f.waitForStatus('gated', 'WaitingPromotion', (s) => s.phase === 'WaitingPromotion');
    expect(held.canaryWeight).toBe(40);
    expect(await image('gated-primary')).toBe('example/gated:1');

    // The second gate is opened by the Argo CD action: what it writes is what the operator reads.
    const atSecondGate = await f.getCanary('gated');
    expect(await argoHealth(atSecondGate)).toMatchObject({ status: 'Suspended' });
    const written = await argoAction('promote', atSecondGate);
    await f.annotateCanary('gated', {
      [COMMAND_ANNOTATION]: written.metadata.annotations?.[COMMAND_ANNOTATION] ?? '',
    });
    const wait = await cli('wait', 'gated', '--for=promoted', '--timeout', '30');
    expect(wait).toMatchObject({ code: 0 });
    expect(await image('gated-primary')).toBe('example/gated:2');
    const done = await f.getCanary('gated');
    expect(await argoHealth(done)).toMatchObject({ status: 'Healthy' });
    expect(await kstatus(done)).toMatchObject({ status: 'Current' });
    const events = await f.core.listNamespacedEvent({
      namespace: env.ns,
      fieldSelector: 'involvedObject.name=gated,reason=CommandAccepted',
    });
    expect(events.items.length).toBeGreaterThanOrEqual(1);
  });

  it('pause holds the weight through passes past the due step; resume goes on', async () => {
    const { f } = env;
    await env.release('held', env.canarySpec('held', { maxWeight: 100, stepWeight: 10 }));
    await f.setImage('held', 'example/held:2');
    await f.waitForStatus('held', 'weight 20', (s) => (s.canaryWeight ?? 0) >= 20);
    expect(await argoHealth(await f.getCanary('held'))).toMatchObject({ status: 'Progressing' });
    expect((await cli('pause', 'held')).code).toBe(0);
    const paused = await f.waitForStatus('held', 'paused', (s) => s.paused === true);
    expect(paused.message).toMatch(/paused by command/);
    const pausedObj = await f.getCanary('held');
    expect(await argoHealth(pausedObj)).toMatchObject({ status: 'Suspended' });
    expect(await kstatus(pausedObj)).toMatchObject({ status: 'InProgress' });
    expect(await argoActions(pausedObj)).toMatchObject({
      resume: { disabled: false },
      pause: { disabled: true },
    });
    // Passes go on (each annotation change is a watch event); none of them moves the weight.
    const passes = await reconcileCount(op.metricsUrl);
    const dueBy = Date.now() + 3_000;
    let touch = 0;
    await waitFor(
      'five more passes, three intervals after the pause',
      async () => {
        await f.annotateCanary('held', { 'test/touch': String(touch++) });
        return Date.now() > dueBy && (await reconcileCount(op.metricsUrl)) >= passes + 5;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    const still = await f.getCanary('held');
    expect(still.status?.canaryWeight).toBe(paused.canaryWeight);
    expect(still.status?.phase).toBe('Progressing');
    expect((await cli('resume', 'held')).code).toBe(0);
    expect((await cli('wait', 'held', '--for=promoted', '--timeout', '60')).code).toBe(0);
  });

  it('abort rolls back mid-analysis with the primary untouched; retry analyses the same revision again', async () => {
    const { f } = env;
    await env.release('stopped', env.canarySpec('stopped', { maxWeight: 100, stepWeight: 10 }));
    await f.setImage('stopped', 'example/stopped:2');
    const mid = await f.waitForStatus('stopped', 'weight 20', (s) => (s.canaryWeight ?? 0) >= 20);
    const abort = await cli('abort', 'stopped');
    expect(abort.code).toBe(0);
    const failed = await f.waitForStatus('stopped', 'Failed', (s) => s.phase === 'Failed');
    expect(failed).toMatchObject({ canaryWeight: 0, lastAppliedSpec: mid.lastAppliedSpec });
    expect(failed.message).toMatch(/aborted/);
    expect(await image('stopped-primary')).toBe('example/stopped:1');
    expect((await cli('wait', 'stopped', '--for=promoted', '--timeout', '10')).code).toBe(1);
    const failedObj = await f.getCanary('stopped');
    expect(await argoHealth(failedObj)).toMatchObject({ status: 'Degraded' });
    expect(await kstatus(failedObj)).toMatchObject({ status: 'Failed' });
    expect(await argoActions(failedObj)).toMatchObject({
      retry: { disabled: false },
      abort: { disabled: true },
    });

    const rec = await recordStatuses(env.kc, env.ns, 'stopped');
    expect((await cli('retry', 'stopped')).code).toBe(0);
    expect((await cli('wait', 'stopped', '--for=promoted', '--timeout', '60')).code).toBe(0);
    rec.stop();
    expect(rec.statuses().map((s) => s.phase)).toContain('Progressing');
    expect(await image('stopped-primary')).toBe('example/stopped:2');
    // Two releases of one revision: one aborted, one promoted, each counted and timed once.
    const labels = `namespace="${env.ns}",name="stopped"`;
    expect(await metric(`fledge_canary_releases_total{${labels},result="failed",reason="aborted"}`)).toBe(1);
    expect(await metric(`fledge_canary_releases_total{${labels},result="succeeded",reason=""}`)).toBe(1);
    expect(await metric(`fledge_canary_release_duration_seconds_count{${labels},result="failed"}`)).toBe(1);
    expect(await metric(`fledge_canary_release_duration_seconds_count{${labels},result="succeeded"}`)).toBe(
      1,
    );
  });

  it('promote --full finishes a slow release at once', async () => {
    const { f } = env;
    await env.release('rushed', env.canarySpec('rushed', { interval: '1m', maxWeight: 100, stepWeight: 10 }));
    await f.setImage('rushed', 'example/rushed:2');
    await f.waitForStatus('rushed', 'first step', (s) => (s.canaryWeight ?? 0) >= 10);
    expect((await cli('wait', 'rushed', '--for=promoted', '--timeout', '1')).code).toBe(3);
    expect((await cli('promote', 'rushed', '--full')).code).toBe(0);
    // A 1-minute interval: without the command the analysis would take ten minutes. The primary
    // runs the new revision and takes all traffic at once; Succeeded follows one interval later,
    // once the canary has drained (Finalising, as for any promotion).
    const promoted = await f.waitForStatus('rushed', 'Finalising', (s) => s.phase === 'Finalising', 30_000);
    expect(promoted.canaryWeight).toBe(0);
    expect(await image('rushed-primary')).toBe('example/rushed:2');
  });

  it('refuses a command for another revision, or one the phase does not allow, and changes nothing', async () => {
    const { f } = env;
    await env.release('stale', env.canarySpec('stale', { interval: '1m', maxWeight: 100, stepWeight: 10 }));
    await f.setImage('stale', 'example/stale:2');
    const mid = await f.waitForStatus('stale', 'first step', (s) => (s.canaryWeight ?? 0) >= 10);
    const old = await cli('promote', 'stale', '--full', '--revision', 'deadbeef');
    expect(old.code).toBe(2);
    expect(old.stderr).toContain(`is for revision deadbeef, but the release is ${mid.lastAppliedSpec}`);
    const retry = await cli('retry', 'stale');
    expect(retry.code).toBe(2);
    expect(retry.stderr).toContain('retry does not apply while Progressing');
    const now = (await f.getCanary('stale')).status;
    expect(now).toMatchObject({ phase: 'Progressing', canaryWeight: mid.canaryWeight });
    expect(await image('stale-primary')).toBe('example/stale:1');
  });

  it('an unreadable annotation is refused by name; usage errors exit 2 without a stack trace', async () => {
    const { f } = env;
    await env.release('garbled', env.canarySpec('garbled'));
    await f.annotateCanary('garbled', { [COMMAND_ANNOTATION]: '{"verb":"explode"}' });
    const refused = await f.waitForStatus(
      'garbled',
      'the command refused',
      (s) => s.lastCommand !== undefined,
    );
    expect(refused.lastCommand).toMatchObject({ accepted: false });
    expect(refused.lastCommand?.message).toContain(`${COMMAND_ANNOTATION}: verb`);

    // Argo CD: Healthy once Initialized; Degraded when the operator cannot run it (Stalled).
    const initialized = await f.getCanary('garbled');
    expect(await argoHealth(initialized)).toMatchObject({ status: 'Healthy' });
    expect(await kstatus(initialized)).toMatchObject({ status: 'Current' });
    await f.createCanary('orphan', env.canarySpec('no-such-deployment'));
    await f.waitForStatus('orphan', 'Stalled', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Stalled' && c.status === 'True'),
    );
    const orphan = await f.getCanary('orphan');
    expect(await argoHealth(orphan)).toMatchObject({
      status: 'Degraded',
      message: expect.stringContaining('not found'),
    });
    expect(await kstatus(orphan)).toMatchObject({ status: 'Failed' });

    const missing = await cli('pause', 'no-such-canary');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not found');
    const bad = await cli('promote', 'garbled', '--fast');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--fast'");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('get: one or a list, by label, as a table (wide), JSON or YAML, and --watch prints each change', async () => {
    const { f } = env;
    await env.release('listed', env.canarySpec('listed'));
    await f.labelCanary('listed', { team: 'checkout' });
    const wide = await cli('get', '-o', 'wide', '-l', 'team=checkout');
    expect(wide.code).toBe(0);
    const [header, row, ...rest] = wide.stdout.trim().split('\n');
    expect(header).toMatch(
      /^NAME\s+PHASE\s+WEIGHT\s+FAILED CHECKS\s+LAST TRANSITION\s+INTERVAL\s+STEP WEIGHT\s+MAX WEIGHT\s+HELD\s+MESSAGE$/,
    );
    expect(row).toMatch(/^listed\s+Initialized\s+0\s+0\/2\s+\S+\s+1s\s+20\s+60\s+-\s+primary serves/);
    expect(rest).toEqual([]);
    const list = JSON.parse((await cli('get', '-o', 'json', '-l', 'team=checkout')).stdout) as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.name)).toEqual(['listed']);
    const one = parse((await cli('get', 'listed', '-o', 'yaml')).stdout) as {
      kind: string;
      status: { phase: string };
    };
    expect(one).toMatchObject({ kind: 'Canary', status: { phase: 'Initialized' } });
    // kubectl itself: -o wide adds the pace columns, and Canaries are part of `kubectl get all`.
    const { kubectl } = await binaries();
    const kubectlGet = async (...args: string[]) =>
      (
        await promisify(execFile)(kubectl, [
          `--kubeconfig=${inject('kubeconfig')}`,
          '-n',
          env.ns,
          'get',
          ...args,
        ])
      ).stdout;
    const [wideHeader, wideRow] = (await kubectlGet('canaries', 'listed', '-o', 'wide')).split('\n');
    expect(wideHeader).toMatch(
      /^NAME\s+STATUS\s+WEIGHT\s+FAILEDCHECKS\s+LASTTRANSITIONTIME\s+AGE\s+INTERVAL\s+STEPWEIGHT\s+MAXWEIGHT\s+SUSPENDED\s+PAUSED$/,
    );
    expect(wideRow).toMatch(/^listed\s+Initialized\s+0\s+0\s+\S+\s+\S+\s+1s\s+20\s+60\s+/);
    expect(await kubectlGet('all')).toMatch(/^canary\.fledge\.dev\/listed\s/m);
    const status = await cli('status', 'listed');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/traffic .* primary 100 {2}canary 0/);

    // --watch: the table, then a row for each change (here a label, which is a watch event).
    const watcher = spawn(process.execPath, [cliBin, 'get', '-w', '-l', 'team=checkout', '-n', env.ns], {
      env: { ...process.env, KUBECONFIG: inject('kubeconfig'), NO_COLOR: '1' },
    });
    let out = '';
    watcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('the first table', () => /^listed\s/m.test(out), { timeoutMs: 15_000 });
      await f.labelCanary('listed', { touched: 'yes' });
      await waitFor('a second row for the change', () => out.match(/^listed\s/gm)?.length === 2, {
        timeoutMs: 15_000,
      });
    } finally {
      watcher.kill('SIGINT');
    }
    expect(await new Promise((resolve) => watcher.once('exit', (code) => resolve(code)))).toBe(130);

    // The watch continues from the listed resourceVersion: nothing is printed twice (without it the
    // API server replays every Canary as ADDED first, before any change, on the same stream).
    // Both ways: by label, and by name (which lists by field selector for the watch's start).
    const watchJson = async (args: string[], touched: string) => {
      const child = spawn(process.execPath, [cliBin, 'get', '-w', '-o', 'json', ...args, '-n', env.ns], {
        env: { ...process.env, KUBECONFIG: inject('kubeconfig'), NO_COLOR: '1' },
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      const docs = () =>
        text
          .split(/^}$/m)
          .slice(0, -1)
          .map((d) => JSON.parse(`${d}}`) as { kind: string; metadata: { labels?: Record<string, string> } });
      try {
        await waitFor('the first output', () => docs().length >= 1, { timeoutMs: 15_000 });
        await f.labelCanary('listed', { touched });
        await waitFor('the change', () => docs().some((d) => d.metadata?.labels?.touched === touched), {
          timeoutMs: 15_000,
        });
      } finally {
        child.kill('SIGINT');
      }
      return docs();
    };
    const [printed, ...changes] = await watchJson(['-l', 'team=checkout'], 'twice');
    expect(printed?.kind).toBe('List');
    expect(changes.map((c) => c.metadata.labels?.touched)).toEqual(['twice']);
    const [named, ...namedChanges] = await watchJson(['listed'], 'thrice');
    expect(named?.kind).toBe('Canary');
    expect(named?.metadata.labels?.touched).toBe('twice');
    expect(namedChanges.map((c) => c.metadata.labels?.touched)).toEqual(['thrice']);
  });
});
