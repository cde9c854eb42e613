// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// What a "version slot" of the fake application does, read from the Deployment it stands for. The
// behaviour lives in the pod template, so a new revision (a template change) is a new behaviour:
//   demo.fledge.dev/error-rate   fraction of requests answered 500, 0..1 (default 0)
//   demo.fledge.dev/latency-ms   how long each request takes, milliseconds >= 0 (default 0)
// and the version is the tag of the first container's image. Pure.

export const errorRateAnnotation = 'demo.fledge.dev/error-rate';
export const latencyAnnotation = 'demo.fledge.dev/latency-ms';

/** The fields of an apps/v1 Deployment this file reads (typed client objects and raw JSON both fit). */
export interface DeploymentLike {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: {
    replicas?: number;
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { containers?: Array<{ image?: string }> };
    };
  };
}

export interface Behaviour {
  errorRate: number;
  latencyMs: number;
}

/** A slot's state: `serving` false answers 503 (no Deployment, or scaled to zero: no endpoints). */
export interface SlotState {
  deployment: string;
  serving: boolean;
  reason: string;
  version: string;
  behaviour: Behaviour;
  /** Annotations that could not be read; the default is used for them. */
  problems: string[];
}

/** The tag of an image reference ("ghcr.io/x/app:1.2.3@sha256:..." -> "1.2.3"); "latest" when untagged. */
export function imageTag(image: string | undefined): string {
  if (!image) return '';
  const name = image.split('@')[0] ?? '';
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > lastSlash ? name.slice(colon + 1) : 'latest';
}

function number(
  annotations: Record<string, string>,
  key: string,
  valid: (n: number) => boolean,
  problems: string[],
): number | undefined {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (Number.isFinite(n) && valid(n)) return n;
  problems.push(`${key}: "${raw}" is not valid`);
  return undefined;
}

export function slotState(deploymentName: string, d: DeploymentLike | undefined): SlotState {
  const base = {
    deployment: deploymentName,
    version: '',
    behaviour: { errorRate: 0, latencyMs: 0 },
    problems: [],
  };
  if (!d) return { ...base, serving: false, reason: `Deployment ${deploymentName} not found` };
  const annotations = d.spec?.template?.metadata?.annotations ?? {};
  const problems: string[] = [];
  const errorRate = number(annotations, errorRateAnnotation, (n) => n >= 0 && n <= 1, problems) ?? 0;
  const latencyMs = number(annotations, latencyAnnotation, (n) => n >= 0 && n <= 60_000, problems) ?? 0;
  const version = imageTag(d.spec?.template?.spec?.containers?.[0]?.image);
  const replicas = d.spec?.replicas ?? 1;
  return {
    deployment: deploymentName,
    serving: replicas > 0,
    reason: replicas > 0 ? '' : `Deployment ${deploymentName} has 0 replicas: no endpoints`,
    version,
    behaviour: { errorRate, latencyMs },
    problems,
  };
}
