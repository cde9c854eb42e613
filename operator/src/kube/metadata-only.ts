import type { KubeConfig } from '@kubernetes/client-node';

/**
 * The media types that make the API server answer a LIST with a PartialObjectMetadataList and a
 * WATCH with PartialObjectMetadata events. Each request gets the one that fits it: offered both,
 * the API server answered a watch with 200 and then no events at all (measured on v1.36). No plain
 * JSON fallback: a server that cannot serve metadata fails the informer loudly rather than fill it
 * with whole objects.
 */
export const PARTIAL_OBJECT_METADATA_LIST =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const PARTIAL_OBJECT_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/**
 * A view of a KubeConfig whose LISTs and WATCHes return metadata only, as client-go's metadata
 * informers do: an informer built on it holds names and resourceVersions, never `data`. A
 * cluster's Secrets include Helm's release records (the whole chart, compressed, per revision),
 * so a cache of whole objects would grow with everything installed, not with the canaries.
 *
 * The view shares the KubeConfig's authentication, request deadline, rate limit and connections;
 * only the Accept header differs, set after the generated client's own. client-node parses any
 * `application/json` media type, parameters ignored, so its generated list methods work on it.
 */
export function metadataOnly(kc: KubeConfig): KubeConfig {
  const view = Object.create(kc) as KubeConfig;
  view.applySecurityAuthentication = async (context: RequestContext) => {
    await kc.applySecurityAuthentication(context);
    const watching = new URL(context.getUrl()).searchParams.get('watch') === 'true';
    context.setHeaderParam('Accept', watching ? PARTIAL_OBJECT_METADATA : PARTIAL_OBJECT_METADATA_LIST);
  };
  return view;
}
