import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VERIFIED } from '../../../operator/src/runtime/lean-dependencies.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const src = join(root, 'operator', 'src');

// The operator's whole module graph is resolved when run.ts is linked, before any of it runs
// (`--help` then exits): every URL the loader resolved is recorded by a hook after the lean one.
const probe = `
import { registerHooks } from 'node:module';
const { leanDependencies } = await import(${JSON.stringify(join(src, 'runtime', 'lean-dependencies.ts'))});
const lean = leanDependencies();
const urls = [];
registerHooks({ resolve(s, c, next) { const r = next(s, c); urls.push(r.url); return r; } });
process.on('exit', () => process.stderr.write('\\nRESOLVED ' + JSON.stringify({ lean, urls }) + '\\n'));
process.argv.push('--help');
await import(${JSON.stringify(join(src, 'run.ts'))});
`;

async function resolvedByOperator(): Promise<{ lean: Record<string, boolean>; urls: string[] }> {
  const run = promisify(execFile);
  const { stderr } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: root });
  const line = stderr.split('\n').find((l) => l.startsWith('RESOLVED '));
  if (!line) throw new Error(`probe printed no result: ${stderr}`);
  return JSON.parse(line.slice('RESOLVED '.length)) as { lean: Record<string, boolean>; urls: string[] };
}

describe('the operator loads its dependencies without the code it never runs', () => {
  it.each(Object.entries(VERIFIED))(
    'is verified on the installed %s (an upgrade re-checks the redirected imports)',
    (pkg, verified) => {
      const installed = (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string })
        .version;
      expect(installed).toBe(verified);
    },
  );

  it('resolves no generated model or API module nor undici, and loads KubeConfig and the informer', async () => {
    const { lean, urls } = await resolvedByOperator();
    expect(lean).toEqual({ '@kubernetes/client-node': true });
    const clientNode = urls.filter((u) => u.includes('/@kubernetes/client-node/dist/'));
    expect(clientNode.some((u) => u.endsWith('/dist/config.js'))).toBe(true);
    expect(clientNode.some((u) => u.endsWith('/dist/informer.js'))).toBe(true);
    const generated = clientNode.filter((u) =>
      /\/dist\/gen\/(models|apis|types)\/|\/dist\/(index|api|serializer)\.js$/.test(u),
    );
    expect(generated).toEqual([]);
    expect(urls.some((u) => u.endsWith('/runtime/client-node/config-imports.ts'))).toBe(true);
    // Nor undici: requests go through Node's own http module (kube/http.ts).
    expect(urls.filter((u) => u.includes('/node_modules/undici/'))).toEqual([]);
    expect(urls.some((u) => u.endsWith('/runtime/client-node/undici-imports.ts'))).toBe(true);
  }, 60_000);
});
