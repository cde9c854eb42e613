import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvedModules } from '../../env/resolved-modules.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..', '..');

// The image runs the compiled operator (operator/Dockerfile: tsc -p tsconfig.build.json, then
// node dist/operator/src/main.js). Compiled the same way into a directory laid out like the
// image's /app, it must start, and load its dependencies as lean as the TypeScript sources do:
// the resolve hooks find their stand-ins as .js files there.
describe('the compiled operator (the image entry point)', () => {
  let app: string;
  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), 'fledge-image-'));
    await copyFile(join(repo, 'package.json'), join(app, 'package.json'));
    await symlink(join(repo, 'node_modules'), join(app, 'node_modules'));
    await run(join(repo, 'node_modules', '.bin', 'tsc'), [
      '-p',
      join(repo, 'tsconfig.build.json'),
      '--outDir',
      join(app, 'dist'),
    ]);
  }, 180_000);
  afterAll(async () => {
    if (app) await rm(app, { recursive: true, force: true });
  });

  it('starts', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(app, 'dist', 'operator', 'src', 'main.js'), '--help'],
      {
        cwd: app,
      },
    );
    expect(stdout).toContain('progressive delivery operator for Kubernetes');
  });

  it('loads no undici or generated client module, and no TypeScript', async () => {
    const src = join(app, 'dist', 'operator', 'src');
    const { lean, urls } = await resolvedModules(src, 'js', app);
    expect(lean).toEqual({ '@kubernetes/client-node': true });
    expect(urls.length).toBeGreaterThan(50);
    expect(urls.filter((u) => u.endsWith('.ts'))).toEqual([]);
    expect(urls.filter((u) => /\/node_modules\/undici\//.test(u))).toEqual([]);
    expect(urls.filter((u) => /client-node\/dist\/(gen\/(models|apis)\/|index\.js$)/.test(u))).toEqual([]);
    for (const shim of ['client-node/config-imports.js', 'client-node/undici-imports.js'])
      expect(
        urls.some((u) => u.endsWith(`/dist/operator/src/runtime/${shim}`)),
        shim,
      ).toBe(true);
  }, 60_000);
});
