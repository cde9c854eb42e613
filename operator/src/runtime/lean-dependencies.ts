import { createRequire, registerHooks } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Keeps the operator from loading code of its dependencies that it never runs, which would be a
 * large part of its resident memory (docs/decisions/0009-lean-client.md):
 * - client-node's generated models and API classes (about 45 MB; requests go through
 *   kube/rest.ts). config.js (KubeConfig) takes two names from the generated index, which loads
 *   every model and API; cache.js (the informer's ListWatch) serializes two strings with the
 *   generated ObjectSerializer, which loads every model.
 * - undici (about 20 MB), imported by client-node's config.js, watch.js and the generated HTTP
 *   library; the operator sends through Node's http module (kube/http.ts).
 * A resolve hook hands those imports lighter modules with the same exports. Only for the releases
 * this was verified on: with another one nothing of that package is redirected (the operator works,
 * with the memory it had), and the unit test that loads the operator's modules fails, so an upgrade
 * re-checks the redirected imports before taking the saving back.
 *
 * Resolution happens when a module graph is linked, before any of it runs: this must be registered
 * before anything imports those packages, so main.ts registers it and then imports the operator.
 */
export const VERIFIED = { '@kubernetes/client-node': '2.0.1' } as const;
type Package = keyof typeof VERIFIED;

const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const shim = (name: string) => new URL(`./${name}.${ext}`, import.meta.url).href;

/**
 * Per package: a module of it that fixes its directory, and for modules under that directory (the
 * importers) which specifier they import is handed which module instead.
 */
const plans: Record<Package, { anchor: string; redirects: Record<string, Record<string, string>> }> = {
  '@kubernetes/client-node': {
    anchor: '@kubernetes/client-node/dist/config.js',
    redirects: {
      'config.js': {
        './gen/index.js': shim('client-node/config-imports'),
        undici: shim('client-node/undici-imports'),
      },
      'cache.js': { './serializer.js': shim('client-node/cache-imports') },
      // Loaded through informer.js (cache.js takes its event names from there); its Watch is not
      // used: kube/watch.ts watches on Node's http module.
      'watch.js': { undici: shim('client-node/undici-imports') },
      // Re-exported by gen/http/http.js (the request context); its fetch-based library is not used.
      'gen/http/isomorphic-fetch.js': { undici: shim('client-node/undici-imports') },
    },
  },
};

// Per process, not per module instance: a test runner that evaluates this module once per test
// file must not stack up hooks.
const registered = ((globalThis as { [key: symbol]: Map<Package, boolean> | undefined })[
  Symbol.for('fledge.leanDependencies')
] ??= new Map<Package, boolean>());

const require = createRequire(import.meta.url);

function redirect(pkg: Package): boolean {
  const version = (require(`${pkg}/package.json`) as { version?: string }).version;
  if (version !== VERIFIED[pkg]) return false;
  const plan = plans[pkg];
  // Only the copy the operator resolves (the verified one): a nested copy of another release,
  // should a dependency bring one, keeps its own imports.
  const dir = pathToFileURL(dirname(require.resolve(plan.anchor))).href + '/';
  registerHooks({
    resolve(specifier, context, next) {
      const parent = context.parentURL;
      if (parent?.startsWith(dir)) {
        const url = plan.redirects[parent.slice(dir.length)]?.[specifier];
        if (url) return { url, shortCircuit: true };
      }
      return next(specifier, context);
    },
  });
  return true;
}

/**
 * Registers the hooks (of `packages`, default all); per package, false (and nothing registered for
 * it) when it is not the verified release.
 */
export function leanDependencies(packages = Object.keys(plans) as Package[]): Record<Package, boolean> {
  for (const pkg of packages) {
    if (!registered.has(pkg)) registered.set(pkg, redirect(pkg));
  }
  return Object.fromEntries(registered) as Record<Package, boolean>;
}
