// How a member cluster is described by a Secret on the hub, pure. Two forms are read:
// - a kubeconfig under the key `kubeconfig` (or Flux's `value`), its current context used;
// - Argo CD's cluster Secret (`server`, `config` with bearerToken / basic auth / tlsClientConfig),
//   so a hub running Argo CD can select the cluster Secrets its ApplicationSets already use.
import type { V1Secret } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { z } from 'zod';

/** The Secret keys that may hold a member's kubeconfig. */
export const KUBECONFIG_KEYS = ['kubeconfig', 'value'] as const;

export interface ClusterOptions {
  server: string;
  caData?: string;
  skipTLSVerify?: boolean;
  tlsServerName?: string;
  user: { token?: string; username?: string; password?: string; certData?: string; keyData?: string };
}

export type ClusterAccess = { kubeconfig: string } | { options: ClusterOptions } | { error: string };

// Argo CD's ClusterConfig (its cluster Secrets' `config` key), the fields fledge can use.
const argoConfigSchema = z.looseObject({
  bearerToken: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  tlsClientConfig: z
    .looseObject({
      insecure: z.boolean().optional(),
      serverName: z.string().optional(),
      caData: z.string().optional(),
      certData: z.string().optional(),
      keyData: z.string().optional(),
    })
    .optional(),
  awsAuthConfig: z.unknown().optional(),
  execProviderConfig: z.unknown().optional(),
});

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

export function clusterAccess(secret: V1Secret): ClusterAccess {
  const name = secret.metadata?.name ?? '';
  const data = secret.data ?? {};
  const key = KUBECONFIG_KEYS.find((k) => data[k] !== undefined);
  if (key) {
    const kubeconfig = decode(data[key]!);
    const hubSide = hubSideFields(kubeconfig);
    if (hubSide.length) {
      return {
        error: `Secret ${name}: ${hubSide.join(', ')} not supported in a cluster Secret (they would run a program or read a file on the hub): embed the credentials (token, *-data)`,
      };
    }
    return { kubeconfig };
  }
  if (data['server'] === undefined || data['config'] === undefined) {
    return { error: `Secret ${name} has no kubeconfig key (nor Argo CD's server and config)` };
  }
  let json: unknown;
  try {
    json = JSON.parse(decode(data['config']));
  } catch {
    return { error: `Secret ${name}: config is not JSON` };
  }
  const parsed = argoConfigSchema.safeParse(json);
  if (!parsed.success) return { error: `Secret ${name}: config is not an Argo CD cluster config` };
  const c = parsed.data;
  if (c.awsAuthConfig !== undefined || c.execProviderConfig !== undefined) {
    return {
      error: `Secret ${name}: awsAuthConfig and execProviderConfig are not supported; use a bearer token`,
    };
  }
  const tls = c.tlsClientConfig ?? {};
  return {
    options: {
      server: decode(data['server']),
      ...(tls.caData !== undefined ? { caData: tls.caData } : {}),
      ...(tls.insecure ? { skipTLSVerify: true } : {}),
      ...(tls.serverName !== undefined ? { tlsServerName: tls.serverName } : {}),
      user: {
        ...(c.bearerToken !== undefined ? { token: c.bearerToken } : {}),
        ...(c.username !== undefined ? { username: c.username } : {}),
        ...(c.password !== undefined ? { password: c.password } : {}),
        ...(tls.certData !== undefined ? { certData: tls.certData } : {}),
        ...(tls.keyData !== undefined ? { keyData: tls.keyData } : {}),
      },
    },
  };
}

// Kubeconfig fields that make the client read a file or run a program where it runs, the hub:
// a Secret naming token-file /var/run/secrets/.../token would send the hub's own token to the
// member's server. Checked on the text, before any client loads it (loading reads token-file).
const USER_HUB_SIDE = [
  'exec',
  'auth-provider',
  'token-file',
  'tokenFile',
  'client-certificate',
  'client-key',
];
const CLUSTER_HUB_SIDE = ['certificate-authority'];

function hubSideFields(text: string): string[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return [];
  }
  const list = (k: string, inner: string) =>
    ((doc as Record<string, unknown> | null)?.[k] as { [key: string]: unknown }[] | undefined)?.map(
      (e) => (e?.[inner] ?? {}) as Record<string, unknown>,
    ) ?? [];
  const found = new Set<string>();
  for (const u of list('users', 'user')) for (const f of USER_HUB_SIDE) if (u[f] !== undefined) found.add(f);
  for (const c of list('clusters', 'cluster'))
    for (const f of CLUSTER_HUB_SIDE) if (c[f] !== undefined) found.add(f);
  return [...found];
}
