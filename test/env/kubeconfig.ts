import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Pki } from './certs.ts';

const b64 = async (path: string) => (await readFile(path)).toString('base64');

/** Writes an admin kubeconfig with the CA and client certificate embedded, so it works from any directory. */
export async function writeKubeconfig(path: string, server: string, pki: Pki): Promise<void> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'fledge-local', cluster: { server, 'certificate-authority-data': await b64(pki.caCert) } },
    ],
    users: [
      {
        name: 'admin',
        user: {
          'client-certificate-data': await b64(pki.adminCert),
          'client-key-data': await b64(pki.adminKey),
        },
      },
    ],
    contexts: [{ name: 'fledge-local', context: { cluster: 'fledge-local', user: 'admin' } }],
    'current-context': 'fledge-local',
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
}
