import { describe, expect, it } from 'vitest';
import { parseCanary, parseWithDefaultProvider } from '../../../operator/src/api/index.ts';
import { example } from './valid-canaries.ts';

const withoutProvider = (name: string) => {
  const obj = example(name) as { spec: Record<string, unknown> };
  delete obj.spec['provider'];
  return obj;
};

describe("a Canary without spec.provider (Flagger's -mesh-provider)", () => {
  it('is admitted: the rules that depend on the provider wait for the operator', () => {
    expect(parseCanary(withoutProvider('nginx canary release')).ok).toBe(true);
  });

  it("runs with the operator's default, every provider rule applied", () => {
    const nginx = parseWithDefaultProvider(withoutProvider('nginx canary release'), 'nginx');
    expect(nginx.ok && nginx.value.spec.provider).toBe('nginx');
    // The nginx example under gatewayapi: its ingressRef is refused and gatewayRefs are missing.
    const gw = parseWithDefaultProvider(withoutProvider('nginx canary release'), 'gatewayapi');
    expect(gw.ok ? [] : gw.errors.map((e) => e.path).sort()).toEqual([
      'spec.ingressRef',
      'spec.service.gatewayRefs',
    ]);
  });

  it('keeps its own provider over the default', () => {
    const own = parseWithDefaultProvider(example('nginx canary release'), 'gatewayapi');
    expect(own.ok && own.value.spec.provider).toBe('nginx');
  });

  it('with no default either, is an error naming both places', () => {
    const none = parseWithDefaultProvider(withoutProvider('nginx canary release'), undefined);
    expect(none.ok).toBe(false);
    expect(none.ok ? '' : JSON.stringify(none.errors)).toMatch(
      /spec\.provider.*not set, and the operator has no default provider.*--mesh-provider \(chart value meshProvider\)/,
    );
  });
});
