import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fledge package this code runs from: the nearest package.json named fledge above this file,
 * the checkout's when run from source and the package's when run from dist/ once installed.
 */
function packageRoot(): { dir: string; version: string } | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'fledge' && pkg.version) return { dir, version: pkg.version };
    } catch {
      /* no package.json here */
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The version of fledge, for `--version` and the build-info metric. */
export function cliVersion(): string {
  return packageRoot()?.version ?? 'unknown';
}

/** The Argo CD scripts the chart ships (charts/fledge/files/argocd), which the package includes. */
export function argoScriptsDir(): string {
  const root = packageRoot();
  if (!root) throw new Error('cannot find the fledge package (package.json) above the CLI');
  return join(root.dir, 'charts', 'fledge', 'files', 'argocd');
}
