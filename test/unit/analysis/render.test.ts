import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../analysis/src/errors.ts';
import { renderQuery, type TemplateModel } from '../../../analysis/src/render.ts';

const model: TemplateModel = {
  name: 'podinfo',
  namespace: 'test',
  target: 'podinfo-app',
  service: 'podinfo-svc',
  ingress: 'podinfo-web',
  interval: '1m',
  variables: { direction: 'inbound', code_class: '5.*' },
};

describe('renderQuery', () => {
  it.each([
    ['{{ name }}', 'podinfo'],
    ['{{ namespace }}', 'test'],
    ['{{ target }}', 'podinfo-app'],
    ['{{ service }}', 'podinfo-svc'],
    ['{{ ingress }}', 'podinfo-web'],
    ['{{ interval }}', '1m'],
    ['{{ variables.direction }}', 'inbound'],
    ['{{ variables.code_class }}', '5.*'],
  ])('renders %s', (template, expected) => {
    expect(renderQuery(template, model)).toBe(expected);
  });

  it.each([
    ['no spaces', '{{name}}', 'podinfo'],
    ['one space', '{{ name }}', 'podinfo'],
    ['several spaces', '{{   name  }}', 'podinfo'],
    ['tabs and newlines', '{{\tname\n}}', 'podinfo'],
    ['left only', '{{ name}}', 'podinfo'],
    ['right only', '{{name }}', 'podinfo'],
    ['variables without spaces', '{{variables.direction}}', 'inbound'],
  ])('accepts optional spaces: %s', (_case, template, expected) => {
    expect(renderQuery(template, model)).toBe(expected);
  });

  it.each([
    ['left trim marker', 'a  \n {{- name }} b', 'apodinfo b'],
    ['right trim marker', 'a {{ name -}} \n b', 'a podinfob'],
    ['both trim markers', 'a {{- name -}} b', 'apodinfob'],
    ['between two actions', '{{ name -}}   {{- namespace }}', 'podinfotest'],
  ])('trims whitespace like Go templates: %s', (_case, template, expected) => {
    expect(renderQuery(template, model)).toBe(expected);
  });

  it('renders a whole query, leaving PromQL braces alone', () => {
    const template =
      'sum(rate(http_requests_total{namespace="{{ namespace }}", pod=~"{{ target }}-.*", code!~"{{ variables.code_class }}"}[{{ interval }}]))';
    expect(renderQuery(template, model)).toBe(
      'sum(rate(http_requests_total{namespace="test", pod=~"podinfo-app-.*", code!~"5.*"}[1m]))',
    );
  });

  it('inserts values verbatim', () => {
    expect(renderQuery('{{ variables.v }}', { ...model, variables: { v: 'a"b\\c {{ x }}' } })).toBe(
      'a"b\\c {{ x }}',
    );
  });

  it('leaves text without actions unchanged', () => {
    expect(renderQuery('vector(1)', model)).toBe('vector(1)');
  });

  it.each([
    ['an unknown variable', '{{ foo }}', 'unknown template variable "foo"'],
    ['a Go-style field', '{{ .name }}', 'unknown template variable ".name"'],
    ['a pipeline', '{{ name | printf "%s" }}', 'unknown template variable "name | printf "%s""'],
    ['a missing template variable', '{{ variables.nope }}', '{{ variables.nope }} is not set'],
    ['variables without a key', '{{ variables }}', 'unknown template variable "variables"'],
    ['an empty action', '{{ }}', 'unknown template variable ""'],
    ['an unclosed action', 'sum({{ name )', 'an unclosed "{{"'],
  ])('refuses %s, naming it', (_case, template, message) => {
    expect(() => renderQuery(template, model)).toThrow(ConfigError);
    expect(() => renderQuery(template, model)).toThrow(message);
  });

  it.each([
    [
      'ingress is absent',
      { ingress: undefined },
      '{{ ingress }}',
      '{{ ingress }} has no value (the Canary has no ingressRef)',
    ],
    ['a value is empty', { service: '' }, '{{ service }}', '{{ service }} has no value'],
    [
      'no variables at all',
      { variables: undefined },
      '{{ variables.direction }}',
      '{{ variables.direction }} is not set',
    ],
    ['a variable is empty', { variables: { direction: '' } }, '{{ variables.direction }}', 'is not set'],
  ])('never renders an empty value silently: %s', (_case, change, template, message) => {
    expect(() => renderQuery(template, { ...model, ...change })).toThrow(message);
  });

  it('does not read inherited properties as template variables', () => {
    expect(() => renderQuery('{{ variables.toString }}', model)).toThrow('is not set');
  });

  it('names every problem at once', () => {
    expect(() => renderQuery('{{ a }} {{ variables.b }} {{ a }}', model)).toThrow(
      'cannot render the query: unknown template variable "a" (known: name, namespace, target, service, ingress, interval, variables.<name>); {{ variables.b }} is not set',
    );
  });
});
