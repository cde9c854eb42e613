import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = join(here, '..', '..', '..', 'charts', 'fledge', 'files', 'argocd');

export interface ArgoHealth {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message?: string;
}

/** Runs a script of charts/fledge/files/argocd on `obj` with the real Lua 5.1 interpreter. */
export function runArgoScript<T>(script: string, obj: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'lua5.1',
      [join(here, 'argocd-driver.lua'), join(scripts, script)],
      { timeout: 10_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`lua5.1 ${script}: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as T);
      },
    );
    child.stdin?.end(JSON.stringify(obj));
  });
}

export const argoHealth = (obj: unknown) => runArgoScript<ArgoHealth>('health.lua', obj);
export const argoFleetHealth = (obj: unknown) => runArgoScript<ArgoHealth>('fleet-health.lua', obj);
export const argoActions = (obj: unknown) =>
  runArgoScript<Record<string, { disabled: boolean }>>('actions/discovery.lua', obj);
/** The object an Argo CD action would write back. */
export const argoAction = (name: string, obj: unknown) =>
  runArgoScript<{ metadata: { annotations?: Record<string, string> } }>(`actions/${name}/action.lua`, obj);
