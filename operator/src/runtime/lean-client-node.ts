import { createRequire, registerHooks } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Keeps the operator from loading client-node's generated models and API classes, which it never
 * uses (requests go through kube/rest.ts): about 45 MB of resident memory, a quarter of an idle
 * operator (docs/decisions/0009-lean-client.md).
 *
 * Two modules the operator does use import them for almost nothing: config.js (KubeConfig) takes
 * two names from the generated index, which loads every model and API; cache.js (the informer's
 * ListWatch) serializes two strings with the generated ObjectSerializer, which loads every model.
 * A resolve hook hands those imports lighter modules with the same exports, and hands config.js
 * and watch.js a stand-in for undici (about 20 MB), which the operator does not send through. Only for the
 * client-node release this was verified on: with another one nothing is redirected (the operator
 * works, with the memory it had), and the unit test that loads the operator's modules fails, so an
 * upgrade re-checks the redirected imports before taking the saving back.
 *
 * Resolution happens when a module graph is linked, before any of it runs: this must be registered
 * before anything imports client-node, so main.ts registers it and then imports the operator.
 */
export const VERIFIED_CLIENT_NODE = '2.0.1';

const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const shim = (name: string) => new URL(`./client-node/${name}.${ext}`, import.meta.url).href;
/** Module of client-node's dist (the importer) -> specifier it imports -> the module it gets. */
const redirects: Record<string, Record<string, string>> = {
  'config.js': { './gen/index.js': shim('config-imports'), undici: shim('undici-imports') },
  'cache.js': { './serializer.js': shim('cache-imports') },
  // Loaded through informer.js (cache.js takes its event names from there); its Watch is not
  // used: kube/watch.ts watches on Node's http module.
  'watch.js': { undici: shim('undici-imports') },
  // Re-exported by gen/http/http.js (the request context); its fetch-based library is not used.
  'gen/http/isomorphic-fetch.js': { undici: shim('undici-imports') },
};

let registered = false;

const require = createRequire(import.meta.url);

/** Registers the hook; false (and nothing registered) when client-node is not the verified release. */
export function leanClientNode(): boolean {
  if (registered) return true;
  const version = (require('@kubernetes/client-node/package.json') as { version?: string }).version;
  if (version !== VERIFIED_CLIENT_NODE) return false;
  // Only the copy the operator resolves (the verified one): a nested copy of another release,
  // should a dependency bring one, keeps its own imports.
  const dist = pathToFileURL(dirname(require.resolve('@kubernetes/client-node/dist/config.js'))).href + '/';
  registerHooks({
    resolve(specifier, context, next) {
      const parent = context.parentURL;
      if (parent?.startsWith(dist)) {
        const url = redirects[parent.slice(dist.length)]?.[specifier];
        if (url) return { url, shortCircuit: true };
      }
      return next(specifier, context);
    },
  });
  registered = true;
  return true;
}
