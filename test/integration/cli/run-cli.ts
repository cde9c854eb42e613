import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cliBin = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'bin',
  'kubectl-fledge.js',
);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the kubectl plugin as a user would (the package's bin, as its own process) against `kubeconfig`. */
export function runCli(kubeconfig: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliBin, ...args],
      { env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1' }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
