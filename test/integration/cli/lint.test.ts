import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { binaries } from '../../env/binaries.ts';
import { installFledgeCrds } from '../crds.ts';
import { installKedaCRDs } from '../routers/setup.ts';
import { testKubeConfig, testNamespace } from '../support.ts';
import { cliBin, runCli } from './run-cli.ts';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');

/** The CLI with `input` on standard input. */
function lintStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cliBin, 'lint', ...args], (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

const flagger = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: podinfo }
spec:
  provider: gatewayapi
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
  service: { port: 9898, gatewayRefs: [{ name: gateway }] }
  analysis: { interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10 }
`;

// lint offline, and the examples it vouches for accepted by the real API server.
describe('kubectl fledge lint and examples/', () => {
  it('passes every example, and the API server admits them all', async () => {
    const files = (await readdir(examples)).filter((f) => f.endsWith('.yaml')).map((f) => join(examples, f));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const lint = await runCli(inject('kubeconfig'), ['lint', ...files]);
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(0);
    expect(lint.stdout).not.toMatch(/: invalid/);

    const kc = testKubeConfig();
    await installFledgeCrds(kc);
    // keda-scaledobject.yaml holds a ScaledObject too.
    await installKedaCRDs(inject('kubeconfig'));
    const ns = await testNamespace(kc, 'examples');
    try {
      const { kubectl } = await binaries();
      const { stdout } = await promisify(execFile)(kubectl, [
        `--kubeconfig=${inject('kubeconfig')}`,
        'apply',
        '--dry-run=server',
        '-n',
        ns.name,
        ...files.flatMap((f) => ['-f', f]),
      ]);
      expect(stdout).toMatch(/canary\.fledge\.dev\/web created \(server dry run\)/);
    } finally {
      await ns.remove();
    }
  });

  it('passes the fledge objects of the GitOps walkthroughs (examples/fleet/)', async () => {
    const dirs = ['flux', 'argocd'].map((d) => join(examples, 'fleet', d));
    const files = (
      await Promise.all(
        dirs.map(async (d) => (await readdir(d)).filter((f) => f.endsWith('.yaml')).map((f) => join(d, f))),
      )
    ).flat();
    const lint = await runCli(inject('kubeconfig'), ['lint', ...files]);
    expect(lint.code).toBe(0);
    expect(lint.stdout).toMatch(/FleetCanary argocd\/storefront: valid/);
  });

  it('exits 2 on a missing file or an invalid manifest, and --from-flagger output lints clean', async () => {
    const missing = await runCli(inject('kubeconfig'), ['lint', '/no/such/file.yaml']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('/no/such/file.yaml: no such file');

    const asIs = await lintStdin(['-'], flagger);
    expect(asIs.code).toBe(2);
    expect(asIs.stdout).toContain("apiVersion: flagger.app/v1beta1 is Flagger's API");

    const rewritten = await lintStdin(['--from-flagger', '-'], flagger);
    expect(rewritten.code).toBe(0);
    expect(rewritten.stdout).toContain('apiVersion: fledge.dev/v1alpha1');
    expect((await lintStdin(['-'], rewritten.stdout)).code).toBe(0);
  });
});
