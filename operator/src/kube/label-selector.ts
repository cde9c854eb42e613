/**
 * Kubernetes label selectors in their string form (`app=web,tier in (a,b),!legacy`), parsed and
 * matched as the API server does for the operators it supports: `=`, `==`, `!=`, `in`, `notin`,
 * existence and `!` non-existence. The API server filters the operator's watches with the same
 * string; matching it here too lets a pass refuse an object it read fresh that has left its shard.
 */
export type Requirement =
  { key: string; op: 'in' | 'notin'; values: readonly string[] } | { key: string; op: 'exists' | 'absent' };

export class SelectorError extends Error {}

// A label key: an optional DNS subdomain prefix and a name of at most 63 characters.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string, selector: string): string {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix));
  if (!prefixOk || !NAME.test(name))
    throw new SelectorError(`"${key}" in "${selector}" is not a valid label key`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (value !== '' && !NAME.test(value))
    throw new SelectorError(`"${value}" in "${selector}" is not a valid label value`);
  return value;
}

/** Splits at the commas that separate requirements (not those inside a value set's parentheses). */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) throw new SelectorError(`unbalanced parentheses in "${selector}"`);
  }
  if (depth !== 0) throw new SelectorError(`unbalanced parentheses in "${selector}"`);
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim());
}

function parseRequirement(part: string, selector: string): Requirement {
  if (part === '') throw new SelectorError(`empty requirement in "${selector}"`);
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (set) {
    if (set[3]!.trim() === '') throw new SelectorError(`empty value set in "${selector}"`);
    const values = set[3]!.split(',').map((v) => checkValue(v.trim(), selector));
    return { key: checkKey(set[1]!, selector), op: set[2] as 'in' | 'notin', values };
  }
  const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (eq) {
    const key = checkKey(eq[1]!, selector);
    const values = [checkValue(eq[3]!, selector)];
    return { key, op: eq[2] === '!=' ? 'notin' : 'in', values };
  }
  if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim(), selector), op: 'absent' };
  if (/^\S+$/.test(part)) return { key: checkKey(part, selector), op: 'exists' };
  throw new SelectorError(
    `cannot read "${part}" in "${selector}": use key=value, key!=value, key in (a,b), key notin (a,b), key or !key`,
  );
}

/** The requirements of a selector; an empty selector has none and selects everything. */
export function parseSelector(selector: string): Requirement[] {
  if (selector.trim() === '') return [];
  return splitRequirements(selector).map((p) => parseRequirement(p, selector));
}

export function matchesSelector(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return requirements.every((r) => {
    // Own properties only: a label named "constructor" is not Object.prototype's.
    const value = labels && Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case 'absent':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}
