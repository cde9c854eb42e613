// Shared setup for the router integration tests on the real API server.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { KubeObject, ObjectClient, ObjectRef } from '../../../operator/src/routers/kube-object.ts';
import { ConflictError } from '../../../operator/src/routers/kube-object.ts';
import type { RouteTarget } from '../../../operator/src/routers/router.ts';
import { kubeObjectClient } from '../../../operator/src/routers/object-client.ts';
import { binaries } from '../../env/binaries.ts';
import { loadKubeConfig } from '../../env/cluster.ts';
import { providerCrdFile, type ProviderCrds } from '../../env/provider-crds.ts';
import { waitFor } from '../../env/wait.ts';

/**
 * Installs the real HTTPRoute CRD (Gateway API's standard channel, from its Go module) once per cluster (other test files may race us: AlreadyExists is
 * fine) and waits until HTTPRoutes are served. Goes through the raw ObjectClient on purpose: the
 * typed ApiextensionsV1Api would drop `x-kubernetes-preserve-unknown-fields` spelled the YAML way.
 */
export async function installHTTPRouteCRD(client: ObjectClient): Promise<void> {
  const crd = parse(await readFile(providerCrdFile('gatewayapi'), 'utf8')) as KubeObject;
  await client.create(crd).catch((err: unknown) => {
    if (!(err instanceof ConflictError)) throw err;
  });
  const crdRef = { apiVersion: crd.apiVersion, kind: crd.kind, namespace: '', name: crd.metadata.name };
  await waitFor('the HTTPRoute CRD to be Established', async () => {
    const live = (await client.get(crdRef)) as {
      status?: { conditions?: { type: string; status: string }[] };
    };
    return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
  // Discovery lags Established; a read of an absent route succeeds (undefined) once both versions are served.
  for (const version of ['v1', 'v1beta1']) {
    await waitFor(`HTTPRoute ${version} to be served`, async () => {
      const probe = {
        apiVersion: `gateway.networking.k8s.io/${version}`,
        kind: 'HTTPRoute',
        namespace: 'default',
        name: 'probe',
      };
      return (await client.get(probe)) === undefined;
    });
  }
}

/**
 * A real object to own what the routers create: an ownerReference to a uid that does not exist
 * would have the garbage collector delete the route under the test.
 */
export async function ownerFor(client: ObjectClient, namespace: string): Promise<RouteTarget['owner']> {
  const cm = await client.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'owner', namespace },
  });
  return { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: cm.metadata.uid ?? '' };
}

/** The object as stored, without the fields the API server manages. */
export function stored(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  const { resourceVersion, uid, creationTimestamp, managedFields, generation, ...metadata } = obj.metadata;
  void [resourceVersion, uid, creationTimestamp, managedFields, generation];
  return { ...obj, metadata };
}

/** Changes `ref` through `client` as another writer would. */
export async function touch(
  client: ObjectClient,
  ref: ObjectRef,
  change: (obj: KubeObject) => void,
): Promise<KubeObject> {
  const live = await client.get(ref);
  if (!live) throw new Error(`${ref.kind} ${ref.name} is missing`);
  change(live);
  return client.replace(live);
}

/**
 * Installs a provider's real CRDs (from its Go module, test/env/tools/fetch-crds.sh) once per
 * cluster and waits until `kinds` are served. Server-side apply, so concurrent files are fine.
 */
export async function installProviderCRDs(
  kubeconfig: string,
  provider: ProviderCrds,
  kinds: readonly { apiVersion: string; kind: string }[],
): Promise<void> {
  const { kubectl } = await binaries();
  await promisify(execFile)(
    kubectl,
    [
      `--kubeconfig=${kubeconfig}`,
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      providerCrdFile(provider),
    ],
    { maxBuffer: 16 << 20 },
  );
  const client = kubeObjectClient(loadKubeConfig(kubeconfig));
  for (const { apiVersion, kind } of kinds) {
    await waitFor(`${apiVersion} ${kind} to be served`, () => client.served(apiVersion, kind));
  }
}

/** Istio's CRDs (istio.io/api): VirtualService and DestinationRule served. */
export const installIstioCRDs = (kubeconfig: string) =>
  installProviderCRDs(kubeconfig, 'istio', [
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' },
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule' },
  ]);

/** Contour's CRDs (github.com/projectcontour/contour): HTTPProxy served. */
export const installContourCRDs = (kubeconfig: string) =>
  installProviderCRDs(kubeconfig, 'contour', [{ apiVersion: 'projectcontour.io/v1', kind: 'HTTPProxy' }]);

/** Traefik's CRDs (github.com/traefik/traefik/v3): TraefikService served. */
export const installTraefikCRDs = (kubeconfig: string) =>
  installProviderCRDs(kubeconfig, 'traefik', [{ apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService' }]);

/** KEDA's ScaledObject CRD (github.com/kedacore/keda/v2), for autoscalerRef; no KEDA controller runs. */
export const installKedaCRDs = (kubeconfig: string) =>
  installProviderCRDs(kubeconfig, 'keda', [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' }]);

/** The RouteTarget of a Canary whose apex Service is `apex`, in `namespace`, owned by `owner`. */
export function routeTargetFor(
  namespace: string,
  owner: RouteTarget['owner'],
  apex: string,
  extra: Partial<RouteTarget> = {},
): RouteTarget {
  return {
    namespace,
    canaryName: apex,
    apexService: apex,
    primaryService: `${apex}-primary`,
    canaryService: `${apex}-canary`,
    port: 9898,
    owner,
    ...extra,
  };
}
