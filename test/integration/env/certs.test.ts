import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPki } from '../../env/certs.ts';

// Certificates of one PKI are signed in parallel; with a shared serial file (-CAcreateserial)
// a signing could read it half-written and fail the cluster start. Many PKIs at once, each
// verified against its own CA, with serials that differ.
describe('local cluster PKI', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('signs every certificate of many PKIs made at once', async () => {
    const made = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const dir = await mkdtemp(join(tmpdir(), 'fledge-pki-'));
        dirs.push(dir);
        return createPki(dir);
      }),
    );
    const run = promisify(execFile);
    for (const pki of made) {
      const { stdout } = await run('openssl', [
        'verify',
        '-CAfile',
        pki.caCert,
        pki.serverCert,
        pki.adminCert,
      ]);
      expect(stdout).toContain(`${pki.serverCert}: OK`);
      const serials = await Promise.all(
        [pki.serverCert, pki.adminCert].map(
          async (c) => (await run('openssl', ['x509', '-noout', '-serial', '-in', c])).stdout,
        ),
      );
      expect(serials[0]).not.toBe(serials[1]);
    }
  });
});
