import type { Canary, FieldError } from '../api/index.ts';

/**
 * References to another namespace's MetricTemplates and AlertProviders (Flagger's
 * -no-cross-namespace-refs): on a shared cluster a tenant must not use another team's query,
 * Prometheus credentials or alert channel. Each is an error naming the field; a Canary with one is
 * Stalled before its release touches anything.
 */
export function crossNamespaceRefs(canary: Canary): FieldError[] {
  const own = canary.metadata.namespace ?? '';
  const errors: FieldError[] = [];
  const refuse = (path: string, namespace: string | undefined) => {
    if (namespace !== undefined && namespace !== '' && namespace !== own) {
      errors.push({
        path,
        message: `${namespace}: references to another namespace are refused (noCrossNamespaceRefs)`,
      });
    }
  };
  (canary.spec.analysis.metrics ?? []).forEach((m, i) =>
    refuse(`spec.analysis.metrics[${i}].templateRef.namespace`, m.templateRef?.namespace),
  );
  (canary.spec.analysis.alerts ?? []).forEach((a, i) =>
    refuse(`spec.analysis.alerts[${i}].providerRef.namespace`, a.providerRef.namespace),
  );
  return errors;
}
