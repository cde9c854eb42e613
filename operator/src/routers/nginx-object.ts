// The canary Ingress for ingress-nginx, as Flagger builds it: a clone of the user's Ingress named
// `<ingress>-canary` whose backends point at the canary Service, switched on and weighted by
// `nginx.ingress.kubernetes.io/canary*` annotations. The user's Ingress is never written: it keeps
// pointing at the apex Service, which selects the primary pods. Pure.
//
// Owned by fledge on the clone: spec (a copy of the source's), the canary* annotations, its own
// ownerReference, and the labels/annotations copied from the source. Other annotations and labels on
// the clone survive. The keys copied are recorded on the clone (copiedKeysAnnotation), so a key
// later removed from the source is removed from the clone too, while a key someone else put on
// the clone is never touched; see docs/routing.md.
import { GITOPS_OPT_OUT, isInventoryKey, withoutInventory } from '../api/gitops-metadata.ts';
import { MANAGED_BY } from '../api/group.ts';
import type { IIngressBackend } from 'kubernetes-models/networking.k8s.io/v1/IngressBackend';
import type { IIngressSpec } from 'kubernetes-models/networking.k8s.io/v1/IngressSpec';
import { InvalidRoutingError } from './errors.ts';
import { describeRef, type KubeObject, type ObjectRef } from './kube-object.ts';
import { copyJson, mergeStrings, sameJson, withOwner } from './object-meta.ts';
import type { HttpMatch, RouteTarget, RouteWeights, StringMatch } from './router.ts';
import { affixRegex, stringMatchOp } from './string-match.ts';

const prefix = 'nginx.ingress.kubernetes.io';
export const nginxAnnotations = {
  canary: `${prefix}/canary`,
  weight: `${prefix}/canary-weight`,
  byHeader: `${prefix}/canary-by-header`,
  byHeaderValue: `${prefix}/canary-by-header-value`,
  byHeaderPattern: `${prefix}/canary-by-header-pattern`,
  byCookie: `${prefix}/canary-by-cookie`,
} as const;
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
/** JSON `{annotations: string[], labels: string[]}`: the source's keys on the clone, as last copied. */
export const copiedKeysAnnotation = 'fledge.dev/copied-from-source';

interface CopiedKeys {
  annotations: string[];
  labels: string[];
}

/** The record on a live clone; unreadable or absent reads as "nothing copied" (never drop foreign keys). */
function copiedKeys(live: KubeObject | undefined): CopiedKeys {
  const raw = live?.metadata.annotations?.[copiedKeysAnnotation];
  if (!raw) return { annotations: [], labels: [] };
  try {
    const parsed: unknown = JSON.parse(raw);
    const list = (v: unknown) =>
      Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
    const rec = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    return { annotations: list(rec['annotations']), labels: list(rec['labels']) };
  } catch {
    return { annotations: [], labels: [] };
  }
}

export interface Ingress extends KubeObject {
  spec?: IIngressSpec;
}

export function sourceIngressRef(t: RouteTarget): ObjectRef {
  if (!t.ingressRef?.name) {
    throw new InvalidRoutingError(
      `Canary ${t.namespace}/${t.canaryName}`,
      'provider nginx needs an ingressRef',
    );
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    namespace: t.namespace,
    name: t.ingressRef.name,
  };
}

export function canaryIngressRef(t: RouteTarget): ObjectRef {
  const source = sourceIngressRef(t);
  return { ...source, name: `${source.name}-canary` };
}

function ownedKey(key: string): boolean {
  return key.startsWith(nginxAnnotations.canary);
}

function without(
  annotations: Record<string, string> | undefined,
  drop: (key: string) => boolean,
): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !drop(k)));
}

/** ingress-nginx routes by one header and/or one cookie; anything else is refused, not ignored. */
export function abAnnotations(object: string, matches: HttpMatch[]): Record<string, string> {
  let header: { name: string; match: StringMatch } | undefined;
  let cookie: string | undefined;
  for (const m of matches) {
    if (m.uri || m.method || Object.keys(m.queryParams ?? {}).length > 0) {
      throw new InvalidRoutingError(object, 'ingress-nginx A/B routes by headers and cookies only');
    }
    for (const [name, match] of Object.entries(m.headers ?? {})) {
      if (name.toLowerCase() === 'cookie') {
        if (match.exact === undefined || stringMatchOp(object, 'cookie', match).op !== 'exact') {
          throw new InvalidRoutingError(object, 'cookie: ingress-nginx matches a cookie by its exact name');
        }
        if (cookie !== undefined && cookie !== match.exact) {
          throw new InvalidRoutingError(object, 'ingress-nginx A/B routes by one cookie only');
        }
        cookie = match.exact;
      } else {
        if (header && (header.name !== name || !sameJson(header.match, match))) {
          throw new InvalidRoutingError(object, 'ingress-nginx A/B routes by one header only');
        }
        header = { name, match };
      }
    }
  }
  const out: Record<string, string> = {};
  if (header) {
    out[nginxAnnotations.byHeader] = header.name;
    const { op, value } = stringMatchOp(object, `header ${header.name}`, header.match);
    if (op === 'exact') out[nginxAnnotations.byHeaderValue] = value;
    else out[nginxAnnotations.byHeaderPattern] = op === 'regex' ? value : affixRegex(op, value);
  }
  if (cookie !== undefined) out[nginxAnnotations.byCookie] = cookie;
  if (!header && cookie === undefined)
    throw new InvalidRoutingError(object, 'A/B match names no header or cookie');
  return out;
}

/** Flagger's mapping: off at 0; A/B routes matching requests all-or-nothing; else a weight. */
export function canaryAnnotations(t: RouteTarget, w: RouteWeights, object: string): Record<string, string> {
  if (w.mirror) throw new InvalidRoutingError(object, 'ingress-nginx canaries cannot mirror traffic');
  const ab = (t.match?.length ?? 0) > 0 ? abAnnotations(object, t.match ?? []) : undefined;
  if (w.canary === 0) return { [nginxAnnotations.canary]: 'false' };
  if (ab) {
    if (w.canary !== 100) {
      throw new InvalidRoutingError(
        object,
        `A/B sends matching requests to one side, got canary weight ${w.canary}`,
      );
    }
    return { [nginxAnnotations.canary]: 'true', ...ab };
  }
  return { [nginxAnnotations.canary]: 'true', [nginxAnnotations.weight]: String(w.canary) };
}

function retarget(backend: IIngressBackend | undefined, from: string, to: string): number {
  if (backend?.service?.name !== from) return 0;
  backend.service.name = to;
  return 1;
}

/** The source spec with every backend on the apex Service moved to the canary Service. */
export function canarySpec(t: RouteTarget, source: Ingress): IIngressSpec {
  const spec = copyJson(source.spec ?? {});
  let moved = retarget(spec.defaultBackend, t.apexService, t.canaryService);
  for (const rule of spec.rules ?? []) {
    for (const path of rule.http?.paths ?? [])
      moved += retarget(path.backend, t.apexService, t.canaryService);
  }
  if (moved === 0) {
    throw new InvalidRoutingError(
      describeRef(sourceIngressRef(t)),
      `no backend points at Service ${t.apexService}`,
    );
  }
  return spec;
}

export function buildCanaryIngress(
  t: RouteTarget,
  w: RouteWeights,
  source: Ingress,
  live: KubeObject | undefined,
  object: string,
): Ingress {
  const ref = canaryIngressRef(t);
  const base: Ingress = live
    ? copyJson(live)
    : { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
  const before = copiedKeys(live);
  // The user's Ingress is in Git; its clone is not: no inventory key may follow it there.
  const copied = without(
    source.metadata.annotations,
    (k) => ownedKey(k) || k === lastApplied || k === copiedKeysAnnotation || isInventoryKey(k),
  );
  const copiedLabels = withoutInventory(source.metadata.labels) ?? {};
  const record: CopiedKeys = {
    annotations: Object.keys(copied).sort(),
    labels: Object.keys(copiedLabels).sort(),
  };
  const annotations = {
    ...without(
      base.metadata.annotations,
      (k) => ownedKey(k) || k === copiedKeysAnnotation || before.annotations.includes(k),
    ),
    ...copied,
    ...canaryAnnotations(t, w, object),
    ...GITOPS_OPT_OUT,
    [copiedKeysAnnotation]: JSON.stringify(record),
  };
  // MANAGED_BY last: the owned-object cache selects the clone by it (a copied Helm label must not win).
  const labels = mergeStrings(
    without(base.metadata.labels, (k) => before.labels.includes(k)),
    {
      ...copiedLabels,
      ...MANAGED_BY,
    },
  );
  const { labels: _stale, ...rest } = base.metadata;
  const metadata: KubeObject['metadata'] = {
    ...rest,
    annotations,
    ownerReferences: withOwner(base.metadata.ownerReferences, t.owner),
  };
  if (labels) metadata.labels = labels;
  return { ...base, apiVersion: ref.apiVersion, kind: ref.kind, metadata, spec: canarySpec(t, source) };
}

/** Weights as ingress-nginx reads the annotations; undefined when the weight is unreadable. */
export function canaryIngressWeights(ingress: KubeObject): RouteWeights | undefined {
  const a = ingress.metadata.annotations ?? {};
  if (a[nginxAnnotations.canary] !== 'true') return { primary: 100, canary: 0, mirror: false };
  if (a[nginxAnnotations.byHeader] !== undefined || a[nginxAnnotations.byCookie] !== undefined) {
    return { primary: 0, canary: 100, mirror: false };
  }
  const raw = a[nginxAnnotations.weight] ?? '0';
  const canary = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || canary > 100) return undefined;
  return { primary: 100 - canary, canary, mirror: false };
}
