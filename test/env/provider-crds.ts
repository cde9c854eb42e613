// The traffic providers' real CRDs, fetched from their own Go modules (tools/fetch-crds.sh, pinned
// in tools/crds/go.mod and go.sum) into the cache on first use.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** gatewayapi: the HTTPRoute CRD (standard channel, v1 and v1beta1); the others: each project's CRDs. */
export type ProviderCrds = 'gatewayapi' | 'istio' | 'contour' | 'traefik' | 'keda';

let dir: string | undefined;

/** The path of a provider's CRD file, fetching the set once per process when needed. */
export function providerCrdFile(provider: ProviderCrds): string {
  dir ??=
    execFileSync('bash', [join(here, 'tools', 'fetch-crds.sh')], { encoding: 'utf8', timeout: 5 * 60_000 })
      .trim()
      .split('\n')
      .at(-1) ?? '';
  const file = join(dir, `${provider}.yaml`);
  if (!existsSync(file)) throw new Error(`provider CRD ${file} is missing; run test/env/tools/fetch-crds.sh`);
  return file;
}
