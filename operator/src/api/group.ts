/** The fledge API group and its one version. */
export const GROUP = 'fledge.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
