import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatFinding, lintText } from '../../../operator/src/cli/lint.ts';
import { invalidCanaries } from '../api/invalid-canaries.ts';
import { example, validExamples } from '../api/valid-canaries.ts';

// A Canary as a Flagger user writes it: the example without a provider (Flagger's -mesh-provider
// decides), under Flagger's API group, scaled by KEDA, with Istio's retries.
const flaggerObject = {
  ...(example('no provider (the operator default)') as { spec: Record<string, unknown> }),
  apiVersion: 'flagger.app/v1beta1',
};
flaggerObject.spec['autoscalerRef'] = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  name: 'podinfo',
};
flaggerObject.spec['service'] = { port: 9898, gatewayRefs: [{ name: 'gateway' }], retries: { attempts: 3 } };
const flaggerCanary = stringify(flaggerObject);

describe('kubectl fledge lint', () => {
  it('accepts every valid example and refuses every invalid one, naming the field admission names', () => {
    for (const e of validExamples) {
      const { findings } = lintText('ok.yaml', e.yaml);
      expect(
        findings.map((f) => f.verdict),
        e.name,
      ).toEqual(['valid']);
    }
    for (const e of invalidCanaries) {
      const { findings } = lintText('bad.yaml', stringify(e.object));
      expect(findings[0]?.verdict, e.name).toBe('invalid');
      expect(
        findings[0]?.errors.some((x) => x.path.startsWith(e.expectField)),
        e.name,
      ).toBe(true);
    }
  });

  it('names Flagger-only habits and how to write them for fledge', () => {
    const [f] = lintText('podinfo.yaml', flaggerCanary).findings;
    expect(f?.verdict).toBe('invalid');
    expect(f?.errors.map((e) => e.path)).toEqual(['apiVersion', 'spec.service.retries']);
    const text = formatFinding(f!);
    expect(text).toContain('podinfo.yaml:1 Canary test/podinfo: invalid');
    expect(text).toMatch(/hint: .*--from-flagger rewrites it/);
    expect(text).toMatch(/hint: Istio's retries, timeout, headers and corsPolicy/);
  });

  it('--from-flagger rewrites the API group only; what is left are the real differences', () => {
    const { findings, rewritten } = lintText('podinfo.yaml', flaggerCanary, { fromFlagger: true });
    expect(rewritten[0]).toMatchObject({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary' });
    expect(findings[0]?.errors.map((e) => e.path)).toEqual(['spec.service.retries']);
  });

  it('checks a Canary without spec.provider as admission does, or with --mesh-provider as the operator does', () => {
    const noProvider = `apiVersion: fledge.dev/v1alpha1
kind: Canary
metadata: { name: web }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  service: { port: 80 }
  analysis: { interval: 1m, threshold: 2, maxWeight: 50, stepWeight: 10 }
`;
    const [admission] = lintText('web.yaml', noProvider).findings;
    expect(admission?.verdict).toBe('valid');
    expect(admission?.hints.join()).toMatch(/--mesh-provider/);
    // gatewayapi needs service.gatewayRefs: the operator with that default refuses it, naming the field.
    const [operator] = lintText('web.yaml', noProvider, { meshProvider: 'gatewayapi' }).findings;
    expect(operator?.verdict).toBe('invalid');
    expect(operator?.errors.map((e) => e.path)).toEqual(['spec.service.gatewayRefs']);
    expect(
      lintText('web.yaml', noProvider, { meshProvider: 'nginx' }).findings[0]?.errors.map((e) => e.path),
    ).toEqual(['spec.ingressRef']);
  });

  it('skips other resources and reports a document that is not YAML', () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\nkind: [unclosed\n';
    const { findings } = lintText('mixed.yaml', text);
    expect(findings.map((f) => [f.where, f.verdict])).toEqual([
      ['mixed.yaml:1', 'skipped'],
      ['mixed.yaml:2', 'invalid'],
    ]);
  });
});
