import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// No Docker here, so the image is checked from the Dockerfile's side: everything it copies exists,
// and everything the operator loads at run time is inside what it copies (its own sources and
// the production dependencies; never test code, never a devDependency).
const repo = resolve(import.meta.dirname, '..', '..', '..');
const dockerfile = readFileSync(join(repo, 'operator/Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** COPY sources from the build context (not --from=stage). */
const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) (\S+)$/gm)].flatMap((m) =>
  (m[1] ?? '').split(/\s+/),
);
const entrypoint =
  (JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[]).at(-1) ?? '';

const specifiers = (source: string) =>
  [
    ...source.matchAll(
      /(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)|^import\s+'([^']+)'/gm,
    ),
  ]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? '')
    .filter((s) => s !== '');

/** Every file the entry point loads, following relative imports; and the packages it names. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const s of specifiers(readFileSync(file, 'utf8'))) {
      if (s.startsWith('.')) visit(resolve(dirname(file), s));
      else if (!s.startsWith('node:') && !builtinModules.includes(s)) {
        packages.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s));
      }
    }
  };
  visit(join(repo, entry));
  return { files: [...files].map((f) => relative(repo, f)), packages: [...packages].sort() };
}

const buildConfig = JSON.parse(readFileSync(join(repo, 'tsconfig.build.json'), 'utf8')) as {
  compilerOptions: { outDir: string; rootDir: string };
};

/** The source a compiled module came from (dist/x/y.js <- x/y.ts). */
const sourceOf = (compiled: string) => compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts');

describe('operator/Dockerfile', () => {
  it('copies only what exists, and runs the compiled form of operator/src/main.ts', () => {
    expect(copied).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.build.json', 'operator/src']),
    );
    for (const src of copied) expect(existsSync(join(repo, src)), src).toBe(true);
    // The build stage compiles with tsconfig.build.json: rootDir . into outDir dist.
    expect(dockerfile).toMatch(/^RUN node_modules\/\.bin\/tsc -p tsconfig\.build\.json$/m);
    expect(dockerfile).toMatch(/^COPY --from=build (?:--\S+ )*\/app\/dist \.\/dist$/m);
    expect(buildConfig.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    expect(entrypoint).toBe('dist/operator/src/main.js');
  });

  it('holds everything the operator loads: its sources and production dependencies only', () => {
    const { files, packages } = importGraph(sourceOf(entrypoint));
    expect(files.length).toBeGreaterThan(50);
    const outside = files.filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)));
    expect(outside).toEqual([]);
    const missing = packages.filter((p) => !(p in pkg.dependencies));
    expect(missing).toEqual([]);
  });
});
