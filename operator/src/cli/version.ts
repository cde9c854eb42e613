import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of the installed fledge package: the nearest package.json named fledge above this
 * file, which is the checkout's from source and the package's from dist/ once installed.
 */
export function cliVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'fledge' && pkg.version) return pkg.version;
    } catch {
      /* no package.json here */
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
