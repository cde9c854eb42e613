import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const build = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'env', 'tools', 'build-go-tool.sh');

export interface Kstatus {
  status: 'InProgress' | 'Failed' | 'Current' | 'Terminating' | 'NotFound' | 'Unknown';
  message: string;
  error?: string;
}

/**
 * Flux's view of objects: sigs.k8s.io/cli-utils kstatus (the library kustomize-controller's health
 * checks use), from the Go program in test/env/tools/kstatus, built once and cached.
 */
export async function kstatusTool(): Promise<(obj: unknown) => Promise<Kstatus>> {
  const { stdout } = await promisify(execFile)('bash', [build, 'kstatus'], { timeout: 600_000 });
  const bin = stdout.trim().split('\n').at(-1) ?? '';
  return (obj) =>
    new Promise((resolve, reject) => {
      const child = execFile(bin, [], { timeout: 10_000 }, (err, out, stderr) => {
        if (err) reject(new Error(`kstatus: ${stderr || err.message}`));
        else resolve(JSON.parse(out) as Kstatus);
      });
      child.stdin?.end(`${JSON.stringify(obj)}\n`);
    });
}
