import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { binaries } from '../env/binaries.ts';
import { waitFor } from '../env/wait.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Applies fledge's generated CRDs (crds/) with the pinned kubectl, server-side so parallel test
 * files can apply them concurrently, and waits until they are served. kubectl rather than
 * client-node: the typed serializer drops fields it does not model, such as x-kubernetes-validations.
 */
export async function installFledgeCrds(kc: KubeConfig, extra: string[] = []): Promise<void> {
  const { kubectl } = await binaries();
  const files = [join(root, 'crds'), ...extra];
  await promisify(execFile)(kubectl, [
    `--kubeconfig=${inject('kubeconfig')}`,
    'apply',
    '--server-side',
    '--force-conflicts',
    ...files.flatMap((f) => ['-f', f]),
  ]);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const name of ['canaries.fledge.dev', 'metrictemplates.fledge.dev', 'alertproviders.fledge.dev']) {
    await waitFor(`CRD ${name} established`, async () => {
      const crd = await ext.readCustomResourceDefinition({ name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
}
