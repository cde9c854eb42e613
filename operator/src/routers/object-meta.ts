// Helpers every router uses to change only what it owns on an object and to tell whether anything
// changed at all (no write when equal).
import { GITOPS_OPT_OUT } from '../api/gitops-metadata.ts';
import { MANAGED_BY } from '../api/group.ts';
import type { KubeObject, OwnerReference } from './kube-object.ts';
import type { RouteTarget } from './router.ts';

/**
 * Structural equality of JSON values. A field set to undefined equals a missing one, because that
 * is what survives serialization; key order does not matter, array order does.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameJson(v, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!sameJson(ra[k], rb[k])) return false;
  return true;
}

/**
 * The owner references with the target's owner added (or refreshed). It is the controller unless
 * another controller already claims the object: the API server refuses two.
 */
export function withOwner(refs: OwnerReference[] | undefined, owner: RouteTarget['owner']): OwnerReference[] {
  const list = refs ?? [];
  const otherController = list.some((r) => r.controller === true && r.uid !== owner.uid);
  const ours: OwnerReference = {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: !otherController,
    blockOwnerDeletion: true,
  };
  const at = list.findIndex((r) => r.uid === owner.uid);
  return at === -1 ? [...list, ours] : list.map((r, i) => (i === at ? ours : r));
}

/** The owner references without the owner, or undefined when none remain (so the field disappears). */
export function withoutOwner(refs: OwnerReference[] | undefined, uid: string): OwnerReference[] | undefined {
  const rest = (refs ?? []).filter((r) => r.uid !== uid);
  return rest.length > 0 ? rest : undefined;
}

/** `base` with `set` laid over it; undefined when empty, so an absent map stays absent. */
export function mergeStrings(
  base: Record<string, string> | undefined,
  set: Record<string, string> | undefined,
): Record<string, string> | undefined {
  const merged = { ...base, ...set };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** A JSON deep copy: builders must never mutate the live object they were given. */
export function copyJson<T>(value: T): T {
  return structuredClone(value);
}

/**
 * A route object as fledge owns it: its ownerReference, MANAGED_BY (last, as the owned-object cache
 * selects by it and a copied Helm label must not win) and Flux's opt-outs, plus Flagger's
 * `service.apex` keys on the object named like the apex Service. Other keys are kept.
 */
export function ownedRoute<T extends KubeObject>(obj: T, t: RouteTarget, apex = true): T {
  const meta = obj.metadata;
  const labels = mergeStrings(meta.labels, { ...(apex ? t.apexMetadata?.labels : {}), ...MANAGED_BY });
  const annotations = mergeStrings(meta.annotations, {
    ...(apex ? t.apexMetadata?.annotations : {}),
    ...GITOPS_OPT_OUT,
  });
  obj.metadata = { ...meta, ownerReferences: withOwner(meta.ownerReferences, t.owner) };
  if (labels) obj.metadata.labels = labels;
  if (annotations) obj.metadata.annotations = annotations;
  return obj;
}

/** The object without fledge's ownerReference (revertOnDeletion: garbage collection keeps it serving). */
export function disowned<T extends KubeObject>(obj: T, t: RouteTarget): T {
  const ownerReferences = withoutOwner(obj.metadata.ownerReferences, t.owner.uid);
  obj.metadata = { ...obj.metadata, ownerReferences };
  if (!ownerReferences) delete obj.metadata.ownerReferences;
  return obj;
}
