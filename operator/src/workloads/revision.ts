import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal templates hash equally whatever order the API returned. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/**
 * The revision of a target: its pod template plus the content of every tracked ConfigMap and
 * Secret. A change to either is a new release; nothing else (replicas, labels on the Deployment)
 * is. `configChecksums` maps `configmap/<name>` or `secret/<name>` to a digest of the data.
 */
export function targetRevision(
  template: V1PodTemplateSpec | undefined,
  configChecksums: Record<string, string>,
): string {
  return short(canonicalJson({ template: template ?? {}, configs: configChecksums }));
}

/** A digest of a ConfigMap's or Secret's data (never the data itself: secrets stay out of status). */
export function configChecksum(
  data: Record<string, string> | undefined,
  binaryData?: Record<string, string>,
): string {
  return short(canonicalJson({ data: data ?? {}, binaryData: binaryData ?? {} }));
}
