import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { binaries } from '../../env/binaries.ts';
import { installFledgeCrds } from '../crds.ts';
import { testKubeConfig } from '../support.ts';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// The plugin as a user gets it: the package packed (which builds dist/), installed into an empty
// directory with no checkout around it, and found by kubectl on PATH as `kubectl fledge`.
describe('kubectl-fledge from the npm package', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('installs, runs without a checkout, and is a kubectl plugin', { timeout: 180_000 }, async () => {
    const packDir = await mkdtemp(join(tmpdir(), 'fledge-pack-'));
    const home = await mkdtemp(join(tmpdir(), 'fledge-plugin-'));
    dirs.push(packDir, home);
    const npm = (args: string[], cwd: string) => run('npm', args, { cwd, timeout: 150_000 });
    const { stdout } = await npm(['pack', '--silent', '--pack-destination', packDir], repo);
    const tarball = join(packDir, stdout.trim().split('\n').at(-1) ?? '');
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', tarball], home);

    const { kubectl } = await binaries();
    await installFledgeCrds(testKubeConfig());
    const env = {
      ...process.env,
      // Node 24 (this test's own node) first, then the installed bins, as a user's PATH would have them.
      PATH: `${dirname(process.execPath)}:${join(home, 'node_modules', '.bin')}:/usr/bin:/bin`,
      KUBECONFIG: inject('kubeconfig'),
    };
    const plugin = await run(kubectl, ['plugin', 'list'], { env, cwd: home });
    expect(plugin.stdout).toContain(join(home, 'node_modules', '.bin', 'kubectl-fledge'));
    const version = await run(kubectl, ['fledge', '--version'], { env, cwd: home });
    expect(version.stdout.trim()).toBe(
      (JSON.parse((await run('cat', [join(repo, 'package.json')])).stdout) as { version: string }).version,
    );
    // It talks to the cluster (exit 0 and kubectl's wording for an empty namespace).
    const get = await run(kubectl, ['fledge', 'get', '-n', 'kube-public'], { env, cwd: home });
    expect(get.stdout).toBe('No canaries found.\n');
    const cm = await run(kubectl, ['fledge', 'argocd-cm'], { env, cwd: home });
    expect(cm.stdout).toContain('resource.customizations.health.fledge.dev_Canary');
  });
});
