import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * A ServiceAccount identity for the operator under benchmark, so its requests can be told apart
 * in the API server's audit log. Benchmark infrastructure only (cluster-admin, short-lived token).
 */
export async function operatorIdentity(kc: KubeConfig, clusterDir: string, namespace: string) {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const name = 'fledge-bench';
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: `${name}-${namespace}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const token = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { expirationSeconds: 7200, audiences: [] } },
  });
  const config = parse(await readFile(join(clusterDir, 'kubeconfig'), 'utf8')) as {
    users: Array<{ name: string; user: Record<string, string> }>;
  };
  config.users[0]!.user = { token: token.status?.token ?? '' };
  const kubeconfig = join(clusterDir, 'kubeconfig-operator');
  await writeFile(kubeconfig, stringify(config), { mode: 0o600 });
  return { kubeconfig, username: `system:serviceaccount:${namespace}:${name}` };
}

/** Requests by `username` in the audit log, by "verb resource[/subresource]". */
export async function countRequests(clusterDir: string, username: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const text = await readFile(join(clusterDir, 'audit.log'), 'utf8');
  for (const line of text.split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as {
      stage: string;
      verb: string;
      user: { username: string };
      objectRef?: { resource?: string; subresource?: string };
    };
    // One entry per request: ResponseComplete (or Panic); watches also log ResponseStarted.
    if (e.user.username !== username || (e.stage !== 'ResponseComplete' && e.stage !== 'Panic')) continue;
    const key = `${e.verb} ${e.objectRef?.resource ?? '(non-resource)'}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
