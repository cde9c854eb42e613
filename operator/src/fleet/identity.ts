// What names a release the same way in every cluster. The revision fledge keys a Canary's release
// by (a hash of the pod template) differs between clusters whose overlays differ, so the fleet
// names a release by what an overlay leaves alone: the images, or an annotation the pipeline sets
// (a Git revision). Pure.
import type { V1PodTemplateSpec } from '@kubernetes/client-node';

/**
 * The release identity of a pod template: the annotation's value when one is configured,
 * otherwise every container's `name=image`, sorted by name. Undefined when the annotation is
 * configured and the template does not carry it.
 */
export function releaseIdentity(
  template: V1PodTemplateSpec | undefined,
  annotation: string | undefined,
): string | undefined {
  if (annotation !== undefined) return template?.metadata?.annotations?.[annotation] || undefined;
  const containers = [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])];
  if (containers.length === 0) return undefined;
  return containers
    .map((c) => `${c.name}=${c.image ?? ''}`)
    .sort()
    .join(',');
}
