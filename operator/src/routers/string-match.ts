// Istio-style StringMatch helpers shared by the providers that translate A/B matches. Pure.
import { InvalidRoutingError } from './errors.ts';
import type { StringMatch } from './router.ts';

export interface StringMatchOp {
  op: 'exact' | 'prefix' | 'suffix' | 'regex';
  value: string;
}

/** The single operation of a StringMatch; none or several is refused, as Istio's oneof would. */
export function stringMatchOp(object: string, what: string, m: StringMatch): StringMatchOp {
  const given = (['exact', 'prefix', 'suffix', 'regex'] as const).filter((op) => m[op] !== undefined);
  const op = given[0];
  if (given.length !== 1 || op === undefined) {
    throw new InvalidRoutingError(
      object,
      `${what}: a match takes exactly one of exact, prefix, suffix, regex (got ${given.join(', ') || 'none'})`,
    );
  }
  return { op, value: m[op] ?? '' };
}

/** Escapes the characters RE2 (and PCRE, ECMAScript) treat as syntax. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** A regular expression for a prefix or suffix match on the whole value. */
export function affixRegex(op: 'prefix' | 'suffix', literal: string): string {
  return op === 'prefix' ? `^${escapeRegex(literal)}.*` : `.*${escapeRegex(literal)}$`;
}
