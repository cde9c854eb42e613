/** The fledge API group and its one version. */
export const GROUP = 'fledge.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** The label on every object fledge creates for a Canary; the caches of owned objects select on it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY: Readonly<Record<string, string>> = { [MANAGED_BY_LABEL]: 'fledge' };
