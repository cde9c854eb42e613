import type { z } from 'zod';

/** One validation failure, with the path written as the API server writes it. */
export interface FieldError {
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** `['spec', 'analysis', 'metrics', 0, 'thresholdRange']` as `spec.analysis.metrics[0].thresholdRange`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Parses without throwing: the operator turns errors into a Stalled condition, not a crash. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
  };
}
