import { ConfigError } from './errors.ts';

/** The values a MetricTemplate query may use, with Flagger's names and meanings. */
export interface TemplateModel {
  /** canary.metadata.name */
  name: string;
  /** canary.metadata.namespace */
  namespace: string;
  /** canary.spec.targetRef.name */
  target: string;
  /** canary.spec.service.name (defaults to the target name, as in Flagger) */
  service: string;
  /** canary.spec.ingressRef.name; absent when the Canary has no ingressRef */
  ingress?: string | undefined;
  /** canary.spec.analysis.metrics[].interval, e.g. "1m" */
  interval: string;
  /** canary.spec.analysis.metrics[].templateVariables */
  variables?: Readonly<Record<string, string>> | undefined;
}

const builtinNames = ['name', 'namespace', 'target', 'service', 'ingress', 'interval'] as const;
type BuiltinName = (typeof builtinNames)[number];

// One action: `{{`, optional `-` trim marker, the body, optional trim marker, `}}`. Go templates
// only treat `-` as a trim marker when whitespace separates it from the body; the same here.
const action = /\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}/gs;
const variableRef = /^variables\.([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Renders a MetricTemplate query the way Flagger's Go templates do for the variables it supports:
 * `{{ name }}`, `{{namespace}}`, `{{ variables.x }}`, with `{{-`/`-}}` trimming whitespace.
 * Values are inserted verbatim: they are names from the Canary, validated at admission. Anything
 * else inside `{{ }}` (unknown variables, pipelines, Go template logic) or a variable without a
 * value is a ConfigError naming each of them: a query rendered with a hole would measure nothing,
 * or worse, something else.
 */
export function renderQuery(template: string, model: TemplateModel): string {
  const problems: string[] = [];
  // Text and values alternate; a trim marker trims the neighbouring text, as in Go templates.
  const texts: string[] = [];
  const values: string[] = [];
  let last = 0;
  let trimNext = false;
  for (const m of template.matchAll(action)) {
    const text = template.slice(last, m.index);
    const trimmed = trimNext ? text.trimStart() : text;
    texts.push(m[1] ? trimmed.trimEnd() : trimmed);
    values.push(resolve(m[2] ?? '', model, problems));
    trimNext = m[3] !== undefined;
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  texts.push(trimNext ? tail.trimStart() : tail);
  if (texts.some((t) => t.includes('{{'))) problems.push('an unclosed "{{"');
  if (problems.length > 0) {
    throw new ConfigError(`cannot render the query: ${[...new Set(problems)].join('; ')}`);
  }
  return texts.map((t, i) => t + (values[i] ?? '')).join('');
}

function resolve(body: string, model: TemplateModel, problems: string[]): string {
  if (isBuiltin(body)) {
    const value = model[body];
    if (value === undefined || value === '') {
      problems.push(
        `{{ ${body} }} has no value${body === 'ingress' ? ' (the Canary has no ingressRef)' : ''}`,
      );
      return '';
    }
    return value;
  }
  const variable = variableRef.exec(body);
  if (variable) {
    const key = variable[1] as string;
    const value = model.variables && Object.hasOwn(model.variables, key) ? model.variables[key] : undefined;
    if (value === undefined || value === '') {
      problems.push(`{{ variables.${key} }} is not set in the metric's templateVariables`);
      return '';
    }
    return value;
  }
  problems.push(`unknown template variable "${body}" (known: ${builtinNames.join(', ')}, variables.<name>)`);
  return '';
}

function isBuiltin(body: string): body is BuiltinName {
  return (builtinNames as readonly string[]).includes(body);
}
