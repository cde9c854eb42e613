import { describe, expect, it } from 'vitest';
import { parseAlertProvider, parseMetricTemplate } from '../../../operator/src/api/index.ts';
import type { FieldError, Parsed } from '../../../operator/src/api/index.ts';
import type { InvalidExample } from './invalid-canaries.ts';
import {
  invalidAlertProviders,
  invalidMetricTemplates,
  validAlertProviders,
  validMetricTemplate,
} from './provider-examples.ts';

function expectRefused(result: Parsed<unknown>, { expectField, expectMessage }: InvalidExample): void {
  if (result.ok) throw new Error('accepted');
  const named = result.errors.filter(
    (e: FieldError) => e.path === expectField || e.path.startsWith(`${expectField}.`),
  );
  expect(named, JSON.stringify(result.errors)).not.toEqual([]);
  if (expectMessage !== undefined) expect(named.map((e) => e.message).join('\n')).toContain(expectMessage);
}

describe('MetricTemplate', () => {
  it('accepts a Prometheus template with every supported field', () => {
    const result = parseMetricTemplate(validMetricTemplate);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
  it.each(invalidMetricTemplates)('refuses $name → $expectField', (example) => {
    expectRefused(parseMetricTemplate(example.object), example);
  });
});

describe('AlertProvider', () => {
  it.each(validAlertProviders.map((o) => [(o.spec as { type: string }).type, o] as const))(
    'accepts %s',
    (_type, obj) => {
      const result = parseAlertProvider(obj);
      expect(result.ok ? [] : result.errors).toEqual([]);
    },
  );
  it.each(invalidAlertProviders)('refuses $name → $expectField', (example) => {
    expectRefused(parseAlertProvider(example.object), example);
  });
});
