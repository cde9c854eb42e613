import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));

export interface Binaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kwok: string;
}

/**
 * The control plane binaries, built by tools/build.sh on first use (cold: about 12 minutes) and
 * reused from the cache afterwards. FLEDGE_BIN_DIR points at prebuilt binaries instead.
 */
export async function binaries(): Promise<Binaries> {
  let dir = process.env['FLEDGE_BIN_DIR'];
  if (!dir) {
    const { stdout } = await promisify(execFile)('bash', [join(here, 'tools', 'build.sh')], {
      maxBuffer: 1 << 20,
      timeout: 60 * 60_000,
    });
    dir = stdout.trim().split('\n').at(-1) ?? '';
  }
  const bin = (name: string) => {
    const path = join(dir, name);
    if (!existsSync(path))
      throw new Error(`control plane binary ${path} is missing; run test/env/tools/build.sh`);
    return path;
  };
  return {
    dir,
    etcd: bin('etcd'),
    kubeApiserver: bin('kube-apiserver'),
    kubeControllerManager: bin('kube-controller-manager'),
    kubeScheduler: bin('kube-scheduler'),
    kubectl: bin('kubectl'),
    kwok: bin('kwok'),
  };
}
