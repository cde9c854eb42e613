import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const openssl = (dir: string, ...args: string[]) => run('openssl', args, { cwd: dir });

/**
 * A throwaway PKI for one local cluster, made with openssl in `dir`. ECDSA P-256 keys: RSA key
 * generation is the slow, variable part of a cluster start.
 */
export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function keyPair(dir: string, name: string): Promise<string> {
  await openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  return join(dir, `${name}.key`);
}

async function signed(dir: string, name: string, subject: string, extensions: string): Promise<string> {
  await keyPair(dir, name);
  await openssl(dir, 'req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    // A serial of its own: certificates are signed in parallel, and -CAcreateserial has them all
    // read and rewrite one ca.srl (a demo start failed reading it half-written under load).
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '30',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  );
  return join(dir, `${name}.crt`);
}

export async function createPki(dir: string): Promise<Pki> {
  await keyPair(dir, 'ca');
  await openssl(
    dir,
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '30',
    '-subj',
    '/CN=fledge-test-ca',
  );
  const [serverCert, adminCert] = await Promise.all([
    signed(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      'subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.96.0.1\nextendedKeyUsage=serverAuth\n',
    ),
    signed(dir, 'admin', '/O=system:masters/CN=admin', 'extendedKeyUsage=clientAuth\n'),
    keyPair(dir, 'sa'),
  ]);
  await openssl(dir, 'ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert,
    serverKey: join(dir, 'apiserver.key'),
    adminCert,
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}
