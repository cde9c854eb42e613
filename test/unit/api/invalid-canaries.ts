// Objects that admission must refuse, each with the field its error must name. The unit tests
// run them through parseCanary; an integration test applies the same objects to a real API
// server, so every rule is checked on both halves (zod and CEL/OpenAPI).
import { analysisRows } from './invalid-analysis-rows.ts';
import { specRows } from './invalid-spec-rows.ts';
import { example } from './valid-canaries.ts';

export interface InvalidExample {
  name: string;
  /** A complete object, ready to apply (metadata.name is unique within each table). */
  object: Record<string, unknown>;
  /** The path the error names, as the API server writes it; the error may name a deeper path. */
  expectField: string;
  /** A fragment of the error message, where fledge words the message itself. */
  expectMessage?: string;
}

type Json = Record<string, unknown>;

/** Sets (or, with undefined, deletes) the value at a dotted path; numeric segments index arrays. */
function setPath(root: Json, path: string, value: unknown): void {
  const segs = path.split('.');
  let node: unknown = root;
  for (const seg of segs.slice(0, -1)) {
    const next: unknown = (node as Json)[seg];
    if (typeof next !== 'object' || next === null) throw new Error(`setPath: ${path} has no ${seg}`);
    node = next;
  }
  const last = segs[segs.length - 1] ?? '';
  if (value === undefined) delete (node as Json)[last];
  else (node as Json)[last] = value;
}

function variant(base: string, changes: Record<string, unknown>): Json {
  const obj = example(base);
  for (const [path, value] of Object.entries(changes)) setPath(obj, path, value);
  return obj;
}

export const invalidCanaries: InvalidExample[] = [...specRows, ...analysisRows].map(
  ([name, base, changes, expectField, expectMessage], i) => {
    const object = variant(base, { ...changes, 'metadata.name': `invalid-${i}` });
    return { name, object, expectField, ...(expectMessage === undefined ? {} : { expectMessage }) };
  },
);
