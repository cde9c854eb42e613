// Helm for the chart tests: the pinned helm binary, rendering, and asking the API server what a
// ServiceAccount the chart created may do.
import type { AuthorizationV1Api } from '@kubernetes/client-node';
import { CoreV1Api, KubeConfig, type V1ResourceAttributes } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';

export const run = promisify(execFile);
export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const chart = join(repo, 'charts', 'fledge');

export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  spec?: Record<string, unknown>;
}
export interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  ports?: { name: string; containerPort: number }[];
}
export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}

// ---------------------------------------------------------------------------------------------
// helm

let helmPath = '';
export let helmHome = '';

/** The pinned helm, built once by test/env/tools/build-helm.sh (cold: about 3.5 minutes). */
export async function setUpHelm(): Promise<void> {
  const { stdout } = await run('bash', [join(repo, 'test/env/tools/build-helm.sh')], {
    maxBuffer: 1 << 20,
    timeout: 20 * 60_000,
  });
  helmPath = join(stdout.trim().split('\n').at(-1) ?? '', 'helm');
  // helm's own cache, config and data stay in a temp dir instead of the user's home.
  helmHome = await mkdtemp(join(tmpdir(), 'fledge-helm-'));
}

export async function helm(args: string[], kubeconfig?: string): Promise<string> {
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    KUBECONFIG: kubeconfig ?? join(helmHome, 'no-kubeconfig'),
  };
  try {
    const { stdout } = await run(helmPath, args, { env, maxBuffer: 16 << 20, timeout: 5 * 60_000 });
    return stdout;
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`, { cause: err });
  }
}

export async function render(...set: string[]): Promise<Manifest[]> {
  const args = ['template', 'fledge', chart, '--namespace', 'fledge-system'];
  for (const s of set) args.push('--set', s);
  const docs = parseAllDocuments(await helm(args));
  return docs.map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}

export const find = (ms: Manifest[], kind: string, name?: string) =>
  ms.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
export const one = (ms: Manifest[], kind: string, name?: string): Manifest => {
  const found = find(ms, kind, name);
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
};
export const podSpec = (ms: Manifest[]) =>
  (one(ms, 'Deployment').spec as { template: { spec: PodSpec } }).template.spec;
export const envOf = (c: Container) => new Map((c.env ?? []).map((e) => [e.name, e]));

/** A KubeConfig that authenticates as `namespace/name`, with a short-lived token (TokenRequest). */
export async function kubeConfigAs(kc: KubeConfig, namespace: string, name: string): Promise<KubeConfig> {
  const core = kc.makeApiClient(CoreV1Api);
  const req = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const cluster = kc.getCurrentCluster();
  if (!cluster || !req.status?.token) throw new Error('no cluster or no token');
  const as = new KubeConfig();
  as.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: req.status.token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return as;
}

export type Check = [
  verb: string,
  resource: string,
  namespace: string,
  extra?: Partial<V1ResourceAttributes>,
];

/** Asks the API server, as the ServiceAccount itself, whether it may do `check`. */
export async function may(
  authz: AuthorizationV1Api,
  [verb, resource, namespace, extra]: Check,
): Promise<boolean> {
  // "plural[.group][/subresource]", as kubectl auth can-i spells it.
  const [qualified = '', subresource = ''] = resource.split('/');
  const dot = qualified.indexOf('.');
  const [res, group] = dot < 0 ? [qualified, ''] : [qualified.slice(0, dot), qualified.slice(dot + 1)];
  const review = await authz.createSelfSubjectAccessReview({
    body: {
      spec: {
        resourceAttributes: {
          verb,
          group,
          resource: res,
          subresource,
          namespace,
          ...extra,
        },
      },
    },
  });
  return review.status?.allowed ?? false;
}

export const describeCheck = ([verb, resource, namespace, extra]: Check) =>
  `${verb} ${resource}${extra?.name ? ` ${extra.name}` : ''} ${namespace ? `in ${namespace}` : 'cluster-wide'}`;
