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
export async function installFledgeCrds(
  kc: KubeConfig,
  extra: string[] = [],
  kubeconfig: string = inject('kubeconfig'),
): Promise<void> {
  const { kubectl } = await binaries();
  const files = [join(root, 'crds'), ...extra];
  await promisify(execFile)(kubectl, [
    `--kubeconfig=${kubeconfig}`,
    'apply',
    '--server-side',
    '--force-conflicts',
    ...files.flatMap((f) => ['-f', f]),
  ]);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const names = ['canaries', 'metrictemplates', 'alertproviders', 'fleetcanaries'].map(
    (p) => `${p}.fledge.dev`,
  );
  for (const name of names) {
    await waitFor(`CRD ${name} established`, async () => {
      const crd = await ext.readCustomResourceDefinition({ name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
}
