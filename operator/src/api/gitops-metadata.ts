// What fledge puts on, and keeps off, the objects it generates so GitOps agents leave them alone.
// A generated object (primary Deployment, its configs and HPA, the Services, routes, the canary
// Ingress) is not in Git: an agent that thinks it owns one prunes it or resets it to what Git says.

/**
 * Flux's per-object opt-outs: kustomize-controller skips an object with reconcile disabled (no
 * drift correction, no prune), helm-controller skips it in drift detection. Flagger sets both.
 */
export const GITOPS_OPT_OUT: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};

/**
 * Keys that tie an object to a GitOps inventory: Flux's `*.toolkit.fluxcd.io/*` labels and
 * annotations, and Argo CD's tracking annotation (its default tracking method since v3). Copied
 * onto a generated object they make the agent count it as its own and, with pruning on, delete it.
 * Argo CD's older label tracking uses `app.kubernetes.io/instance`, a label users also select on;
 * it is kept (docs/install.md says how to configure Argo CD instead).
 */
export function isInventoryKey(key: string): boolean {
  return key.includes('toolkit.fluxcd.io') || key === 'argocd.argoproj.io/tracking-id';
}

/** `meta` without inventory keys; undefined stays undefined. */
export function withoutInventory(
  meta: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (!meta) return undefined;
  return Object.fromEntries(Object.entries(meta).filter(([k]) => !isInventoryKey(k)));
}
