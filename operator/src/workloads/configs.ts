import type { V1PodSpec } from '@kubernetes/client-node';

/**
 * The ConfigMaps and Secrets a pod template uses (env, envFrom, volumes, projected volumes).
 * A change to one of them is a new revision, and promotion copies each to `<name>-primary` so the
 * primary never reads the canary's configuration. Optional references are tracked when present.
 */
export interface ConfigRefs {
  configMaps: string[];
  secrets: string[];
}

export function referencedConfigs(spec: V1PodSpec | undefined): ConfigRefs {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef?.name) configMaps.add(e.configMapRef.name);
      if (e.secretRef?.name) secrets.add(e.secretRef.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  return { configMaps: [...configMaps].sort(), secrets: [...secrets].sort() };
}

/** A copy of `spec` whose references to the tracked configs point at their `-primary` copies. */
export function withPrimaryConfigRefs(spec: V1PodSpec, tracked: ConfigRefs): V1PodSpec {
  const copy = structuredClone(spec);
  const cm = new Set(tracked.configMaps);
  const sec = new Set(tracked.secrets);
  const rename = (name: string | undefined, set: Set<string>) =>
    name && set.has(name) ? `${name}-primary` : name;
  for (const c of [...(copy.initContainers ?? []), ...copy.containers]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef)
        e.valueFrom.configMapKeyRef.name = rename(e.valueFrom.configMapKeyRef.name, cm);
      if (e.valueFrom?.secretKeyRef)
        e.valueFrom.secretKeyRef.name = rename(e.valueFrom.secretKeyRef.name, sec);
    }
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef) e.configMapRef.name = rename(e.configMapRef.name, cm);
      if (e.secretRef) e.secretRef.name = rename(e.secretRef.name, sec);
    }
  }
  for (const v of copy.volumes ?? []) {
    if (v.configMap) v.configMap.name = rename(v.configMap.name, cm);
    if (v.secret) v.secret.secretName = rename(v.secret.secretName, sec);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) s.configMap.name = rename(s.configMap.name, cm);
      if (s.secret) s.secret.name = rename(s.secret.name, sec);
    }
  }
  return copy;
}
