import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERIFIED } from '../../../operator/src/runtime/lean-dependencies.ts';
import { resolvedModules } from '../../env/resolved-modules.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const src = join(root, 'operator', 'src');

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
    const { lean, urls } = await resolvedModules(src, 'ts', root);
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
