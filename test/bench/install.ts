import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { providerCrdFile } from '../env/provider-crds.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Applies crds/ and the test HTTPRoute CRD with the pinned kubectl, and waits until established. */
export async function installFledgeCrdsWith(kubectl: string, kubeconfig: string): Promise<void> {
  const run = promisify(execFile);
  await run(kubectl, [
    `--kubeconfig=${kubeconfig}`,
    'apply',
    '--server-side',
    '-f',
    join(root, 'crds'),
    '-f',
    providerCrdFile('gatewayapi'),
  ]);
  await run(kubectl, [
    `--kubeconfig=${kubeconfig}`,
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd',
    '--all',
  ]);
}
