import type { Workload } from './workload.ts';

/**
 * The label that tells a target's pods apart, found as Flagger finds it: the first of `app`,
 * `name`, `app.kubernetes.io/name` in the workload's selector. The primary's pods carry the
 * same label with `-primary` appended, so the Services can select either set.
 */
export const SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'] as const;

export function selectorLabel(target: Workload): { key: string; value: string } | undefined {
  const match = target.spec?.selector?.matchLabels ?? {};
  for (const key of SELECTOR_LABELS) {
    const value = match[key];
    if (value) return { key, value };
  }
  return undefined;
}
