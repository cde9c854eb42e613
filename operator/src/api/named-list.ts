import { z } from 'zod';

/**
 * A list of items identified by `name` (metrics, webhooks, alerts). As a list-map the API server
 * refuses duplicate names natively and server-side apply merges items by name; status.checks is
 * keyed by metric name, so a duplicate would make it ambiguous.
 */
export function namedList<T extends z.ZodType<{ name: string }>>(item: T, maxItems: number) {
  return z
    .array(item)
    .max(maxItems)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((it, i) => {
        if (seen.has(it.name))
          ctx.addIssue({ code: 'custom', message: `duplicate name ${it.name}`, path: [i] });
        seen.add(it.name);
      });
    })
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
}
