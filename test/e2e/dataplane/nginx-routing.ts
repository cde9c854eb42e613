// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// An ingress-nginx canary Ingress (`<ingress>-canary`) read the way ingress-nginx documents its
// canary annotations, independently of fledge's router code. Pure.
// - canary != "true" (or no canary Ingress): every request goes to the main Ingress's Service.
// - Precedence: canary-by-header, then canary-by-cookie, then canary-weight.
// - canary-by-header alone: header "always" -> canary, "never" -> main; other values fall through.
//   With canary-by-header-value: that exact value -> canary; with canary-by-header-pattern (ignored
//   when a value is set): a regex search -> canary; other values fall through.
// - canary-by-cookie: cookie "always" -> canary, "never" -> main; otherwise fall through.
// - canary-weight out of canary-weight-total (default 100).
// The main Ingress is not read: as fledge (and Flagger) set it up, it routes to the apex Service.
import { compile, cookieValue, headerValue, type RequestInfo, type RoutingPolicy } from './routing.ts';
import type { Picker } from './weighted.ts';

const prefix = 'nginx.ingress.kubernetes.io';

interface BackendLike {
  service?: { name?: string; port?: { number?: number; name?: string } };
}
export interface IngressLike {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: {
    defaultBackend?: BackendLike;
    rules?: Array<{ http?: { paths?: Array<{ backend?: BackendLike }> } }>;
  };
}

export interface NginxPolicyOptions {
  namespace: string;
  /** The canary Ingress's name, `<ingress>-canary`. */
  name: string;
  /** The Service the main Ingress routes to (the apex Service). */
  mainService: string;
  picker: Picker;
}

function canaryBackend(ingress: IngressLike): BackendLike | undefined {
  const spec = ingress.spec;
  return spec?.defaultBackend ?? spec?.rules?.flatMap((r) => r.http?.paths ?? [])[0]?.backend;
}

function intOr(raw: string | undefined, fallback: number): number {
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : fallback;
}

export function nginxPolicy(ingress: IngressLike | undefined, o: NginxPolicyOptions): RoutingPolicy {
  const where = `Ingress ${o.namespace}/${o.name}`;
  const main = { service: o.mainService, mirrors: [] };
  const a = ingress?.metadata?.annotations ?? {};
  if (!ingress || a[`${prefix}/canary`] !== 'true') {
    return {
      source: `${where} ${ingress ? `resourceVersion ${ingress.metadata?.resourceVersion ?? '?'}` : '(absent)'}`,
      weights: [{ [o.mainService]: 100 }],
      decide: () => main,
    };
  }
  const backend = canaryBackend(ingress);
  const canaryService = backend?.service?.name ?? `${o.mainService}-canary`;
  const port = backend?.service?.port?.number ?? backend?.service?.port?.name ?? 80;
  const canary = {
    service: canaryService,
    mirrors: [],
    canaryUpstream: `${o.namespace}-${canaryService}-${port}`,
  };
  const byHeader = a[`${prefix}/canary-by-header`];
  const byValue = a[`${prefix}/canary-by-header-value`];
  const byPattern = byValue === undefined ? a[`${prefix}/canary-by-header-pattern`] : undefined;
  const pattern = byPattern !== undefined ? compile(byPattern, false) : undefined;
  const byCookie = a[`${prefix}/canary-by-cookie`];
  const total = intOr(a[`${prefix}/canary-weight-total`], 100);
  const weight = Math.min(intOr(a[`${prefix}/canary-weight`], 0), total);
  const split = [
    { value: main, weight: total - weight },
    { value: canary, weight },
  ];

  const decide = (req: RequestInfo) => {
    const h = byHeader ? headerValue(req.headers, byHeader) : undefined;
    if (h !== undefined) {
      if (byValue !== undefined) {
        if (h === byValue) return canary;
      } else if (byPattern !== undefined) {
        if (pattern?.test(h)) return canary;
      } else if (h === 'always') return canary;
      else if (h === 'never') return main;
    }
    const c = byCookie ? cookieValue(req.headers, byCookie) : undefined;
    if (c === 'always') return canary;
    if (c === 'never') return main;
    return o.picker.pick('weight', split) ?? main;
  };
  return {
    source: `${where} resourceVersion ${ingress.metadata?.resourceVersion ?? '?'}`,
    weights: [{ [o.mainService]: total - weight, [canaryService]: weight }],
    decide,
  };
}
