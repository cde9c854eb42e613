import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Every module URL the operator's graph resolves, as main does it: the lean-dependencies hooks
 * first, then a recording hook after them, then run (linked whole before any of it runs; `--help`
 * then exits). `src` is operator/src, or its compiled copy with `ext` 'js'.
 */
export async function resolvedModules(
  src: string,
  ext: 'ts' | 'js',
  cwd: string,
): Promise<{ lean: Record<string, boolean>; urls: string[] }> {
  const probe = `
import { registerHooks } from 'node:module';
const { leanDependencies } = await import(${JSON.stringify(join(src, 'runtime', `lean-dependencies.${ext}`))});
const lean = leanDependencies();
const urls = [];
registerHooks({ resolve(s, c, next) { const r = next(s, c); urls.push(r.url); return r; } });
process.on('exit', () => process.stderr.write('\\nRESOLVED ' + JSON.stringify({ lean, urls }) + '\\n'));
process.argv.push('--help');
await import(${JSON.stringify(join(src, `run.${ext}`))});
`;
  const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], {
    cwd,
  });
  const line = stderr.split('\n').find((l) => l.startsWith('RESOLVED '));
  if (!line) throw new Error(`probe printed no result: ${stderr}`);
  return JSON.parse(line.slice('RESOLVED '.length)) as { lean: Record<string, boolean>; urls: string[] };
}
