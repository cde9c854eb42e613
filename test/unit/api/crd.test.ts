import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fledgeCrds, toOpenApiSchema } from '../../../operator/src/api/index.ts';
import type { CelRule, OpenApiSchema } from '../../../operator/src/api/index.ts';

const crds = fledgeCrds();
const crd = (plural: string) => {
  const found = crds.find((c) => c.crd.spec.names.plural === plural);
  if (!found) throw new Error(`no CRD ${plural}`);
  return found.crd;
};
const rootOf = (plural: string) => crd(plural).spec.versions[0]!.schema.openAPIV3Schema as OpenApiSchema;

interface Visited {
  path: string;
  node: OpenApiSchema;
  /** Array and map nodes between the root and this node: CEL cost multiplies by their sizes. */
  collections: OpenApiSchema[];
}

function walk(node: OpenApiSchema, path = '', collections: OpenApiSchema[] = []): Visited[] {
  const out: Visited[] = [{ path, node, collections }];
  for (const [k, child] of Object.entries(node.properties ?? {}))
    out.push(...walk(child, `${path}.${k}`, collections));
  if (node.items) out.push(...walk(node.items, `${path}[]`, [...collections, node]));
  if (node.additionalProperties)
    out.push(...walk(node.additionalProperties, `${path}[*]`, [...collections, node]));
  return out;
}

const rulesOf = (node: OpenApiSchema) => (node['x-kubernetes-validations'] ?? []) as CelRule[];

describe.each(crds.map((c) => [c.file, c.crd] as const))('%s', (file, def) => {
  const version = def.spec.versions[0]!;
  const nodes = walk(version.schema.openAPIV3Schema as OpenApiSchema);

  it('is named <plural>.<group> and written to that file', () => {
    expect(def.metadata.name).toBe(`${def.spec.names.plural}.fledge.dev`);
    expect(file).toBe(`${def.metadata.name}.yaml`);
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true });
  });

  it('is structural: every node typed, no unions, no refs', () => {
    for (const { path, node } of nodes) {
      const marker =
        node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
      expect(node.type !== undefined || marker, `${path} has no type`).toBe(true);
      for (const k of [
        'anyOf',
        'oneOf',
        'allOf',
        'not',
        '$ref',
        '$schema',
        'definitions',
        '$defs',
        'const',
      ]) {
        expect(k in node, `${path} has ${k}`).toBe(false);
      }
      expect(
        node.additionalProperties !== undefined && node.properties !== undefined,
        `${path} mixes properties and additionalProperties`,
      ).toBe(false);
      if (node.type === 'array') expect(node.items, `${path} has no items`).toBeDefined();
    }
  });

  it('keys list-maps on required scalar fields', () => {
    for (const { path, node } of nodes.filter((n) => n.node['x-kubernetes-list-type'] === 'map')) {
      for (const key of node['x-kubernetes-list-map-keys'] as string[]) {
        expect(node.items?.required, `${path} key ${key}`).toContain(key);
        expect(node.items?.properties?.[key]?.type, `${path} key ${key}`).toBe('string');
      }
    }
  });

  it('bounds every list, map and string a CEL rule depends on, so the API server can cost it', () => {
    for (const { path, node, collections } of nodes.filter((n) => rulesOf(n.node).length > 0)) {
      for (const c of collections) {
        expect(c.maxItems ?? c.maxProperties, `a collection above ${path} is unbounded`).toBeDefined();
      }
      if (node.type === 'array') expect(node.maxItems, `${path} maxItems`).toBeDefined();
      if (node.type === 'string') expect(node.maxLength, `${path} maxLength`).toBeDefined();
      for (const r of rulesOf(node)) {
        // has() only tests presence, whatever the size; every other reference reads the value.
        const reads = r.rule.replace(/has\(self\.[\w.]+\)/g, '');
        for (const [, field] of reads.matchAll(/self\.(\w+)(?![\w(])/g)) {
          const child = node.properties?.[field ?? ''];
          if (child?.type === 'string')
            expect(child.maxLength, `${path}.${field} is compared in "${r.rule}"`).toBeDefined();
          if (child?.type === 'array')
            expect(child.maxItems, `${path}.${field} is sized in "${r.rule}"`).toBeDefined();
        }
      }
    }
  });

  it('gives every rule a message, and every fieldPath a declared field', () => {
    for (const { path, node } of nodes) {
      for (const r of rulesOf(node)) {
        expect(r.message, `${path}: ${r.rule}`).not.toBe('');
        if (r.fieldPath === undefined) continue;
        let target: OpenApiSchema | undefined = node;
        for (const seg of r.fieldPath.split('.').slice(1)) target = target?.properties?.[seg];
        expect(target, `${path}: fieldPath ${r.fieldPath}`).toBeDefined();
      }
    }
  });
});

describe('the Canary CRD', () => {
  const def = crd('canaries');
  const version = def.spec.versions[0]!;
  const spec = rootOf('canaries').properties!.spec!;
  const at = (path: string) => {
    let node: OpenApiSchema | undefined = spec;
    for (const seg of path.split('.').filter(Boolean)) {
      if (seg === '[]') node = node?.items;
      else if (seg === '*') node = node?.additionalProperties;
      else node = node?.properties?.[seg];
    }
    if (!node) throw new Error(`no node at spec.${path}`);
    return node;
  };

  it('has a status subresource, the Flagger columns plus Age, wide columns, categories, no short names', () => {
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c) => [c.name, c.jsonPath, c.priority ?? 0])).toEqual([
      ['Status', '.status.phase', 0],
      ['Weight', '.status.canaryWeight', 0],
      ['FailedChecks', '.status.failedChecks', 0],
      ['LastTransitionTime', '.status.lastTransitionTime', 0],
      ['Age', '.metadata.creationTimestamp', 0],
      // -o wide
      ['Interval', '.spec.analysis.interval', 1],
      ['StepWeight', '.spec.analysis.stepWeight', 1],
      ['MaxWeight', '.spec.analysis.maxWeight', 1],
      ['Suspended', '.spec.suspend', 1],
      ['Paused', '.status.paused', 1],
    ]);
    expect(def.spec.names).not.toHaveProperty('shortNames');
    expect(def.spec.names.categories).toEqual(['all', 'fledge']);
  });

  // Each cross-field rule, where it must sit, and a fragment of its CEL.
  it.each([
    ['', '.ingressRef', "self.provider != 'nginx' || has(self.ingressRef)"],
    ['', '.ingressRef', '|| !has(self.ingressRef)'],
    ['', '.service.gatewayRefs', 'size(self.service.gatewayRefs) > 0'],
    [
      '',
      '.service.gatewayRefs',
      "['istio', 'contour', 'traefik', 'nginx', 'kubernetes']) || !has(self.service.gatewayRefs)",
    ],
    ['', '.analysis.match', "self.provider != 'contour' || !has(self.analysis.match)"],
    ['', '.analysis.match', "self.provider != 'traefik' || !has(self.analysis.match)"],
    ['', '.service.gateways', "self.provider == 'istio' || !has(self.service.gateways)"],
    ['', '.service.trafficPolicy', "self.provider == 'istio' || !has(self.service.trafficPolicy)"],
    ['', '.service.hosts', "'kubernetes']) || !has(self.service.hosts)"],
    ['', '.service.hosts', "self.service.hosts.exists(h, h == '*')"],
    ['', '.analysis.iterations', "self.provider != 'kubernetes' || has(self.analysis.iterations)"],
    ['', '.analysis.match', "self.provider != 'kubernetes' || !has(self.analysis.match)"],
    [
      'autoscalerRef',
      '.primaryScalerQueries',
      "self.kind == 'ScaledObject' || !has(self.primaryScalerQueries)",
    ],
    ['', '.routeRef', '!has(self.routeRef)'],
    ['', '.upstreamRef', '!has(self.upstreamRef)'],
    ['provider', undefined, 'self in ['],
    ['targetRef.kind', undefined, "self in ['Deployment', 'DaemonSet']"],
    ['', '.autoscalerRef', "self.targetRef.kind == 'Deployment'"],
    ['targetRef', '.apiVersion', "self.apiVersion == 'apps/v1'"],
    ['ingressRef', '.apiVersion', "self.apiVersion == 'networking.k8s.io/v1'"],
    ['service', '.timeout', '!has(self.timeout)'],
    ['service', '.retries', '!has(self.retries)'],
    ['service', '.headers', '!has(self.headers)'],
    ['service', '.corsPolicy', '!has(self.corsPolicy)'],
    ['analysis', '.stepWeights', '!has(self.stepWeight) || !has(self.stepWeights)'],
    ['analysis', '.stepWeight', 'has(self.iterations) || has(self.stepWeight) || has(self.stepWeights)'],
    ['analysis', '.iterations', '!has(self.iterations) || (!has(self.stepWeight) && !has(self.stepWeights))'],
    ['analysis', '.maxWeight', '!has(self.stepWeight) || self.maxWeight >= self.stepWeight'],
    ['analysis', '.maxWeight', 'self.maxWeight >= self.stepWeights.max()'],
    ['analysis', '.maxWeight', '!has(self.maxWeight) || !has(self.iterations)'],
    ['analysis', '.match', '!has(self.match) || has(self.iterations)'],
    ['analysis', '.mirror', '(has(self.iterations) && !has(self.match))'],
    ['', '.analysis.mirror', '!has(self.analysis.mirror) || !self.analysis.mirror'],
    ['analysis', '.mirrorWeight', '!has(self.mirrorWeight)'],
    ['analysis', '.sessionAffinity', '!has(self.sessionAffinity) || !has(self.iterations)'],
    ['', '.analysis.sessionAffinity', "'gatewayapi:v1beta1'] || !has(self.analysis.sessionAffinity)"],
    ['analysis.sessionAffinity', '.primaryCookieName', 'self.primaryCookieName != self.cookieName'],
    ['analysis.stepWeights', undefined, 'self.isSorted()'],
    ['analysis.interval', undefined, "duration(self) > duration('0s')"],
    ['analysis.match.[]', undefined, 'size(self.headers) > 0'],
    ['analysis.match.[]', '.sourceLabels', '!has(self.sourceLabels)'],
    ['analysis.match.[]', '.method', 'has(self.method.exact)'],
    ['analysis.match.[].headers.*', undefined, '.filter(x, x).size() == 1'],
    ['', '.analysis.match', '!has(m.queryParams) && !has(m.uri) && !has(m.method)'],
    ['analysis.metrics.[]', '.thresholdRange', 'has(self.thresholdRange) || has(self.threshold)'],
    [
      'analysis.metrics.[]',
      '.templateRef',
      "self.name in ['request-success-rate', 'request-duration'] || has(self.templateRef) || has(self.query)",
    ],
    ['analysis.metrics.[]', '.name', '(!has(self.templateRef) && !has(self.query))'],
    ['analysis.metrics.[]', '.query', '!has(self.templateRef) || !has(self.query)'],
    ['analysis.metrics.[]', '.threshold', '!has(self.thresholdRange) || !has(self.threshold)'],
    ['analysis.metrics.[].thresholdRange', '.min', 'self.min <= self.max'],
    ['analysis.metrics.[].thresholdRange', undefined, 'has(self.min) || has(self.max)'],
    ['analysis.metrics.[].interval', undefined, "duration(self) > duration('0s')"],
    ['analysis.webhooks.[]', '.disableTLS', 'self.disableTLS == false'],
    ['analysis.webhooks.[].timeout', undefined, "duration(self) > duration('0s')"],
  ])('spec.%s carries the rule for %s: %s', (path, fieldPath, fragment) => {
    const rules = rulesOf(at(path));
    expect(
      rules.filter((r) => r.fieldPath === fieldPath && r.rule.includes(fragment)).map((r) => r.rule),
      JSON.stringify(rules, null, 1),
    ).toHaveLength(1);
  });

  it('applies Flagger’s defaults through the API server', () => {
    expect(at('progressDeadlineSeconds').default).toBe(600);
    expect(at('analysis.threshold').default).toBe(1);
    expect(at('analysis.primaryReadyThreshold').default).toBe(100);
    expect(at('analysis.canaryReadyThreshold').default).toBe(100);
    expect(at('analysis.metrics.[].interval').default).toBe('1m');
    expect(at('analysis.webhooks.[].type').default).toBe('rollout');
    expect(at('analysis.webhooks.[].timeout').default).toBe('10s');
    expect(at('analysis.alerts.[].severity').default).toBe('info');
  });

  it('declares Flagger’s int-or-string targetPort the Kubernetes way', () => {
    expect(at('service.targetPort')).toEqual({
      description: expect.any(String),
      'x-kubernetes-int-or-string': true,
    });
  });

  it('keeps the machine snapshot opaque and the conditions a list-map keyed by type', () => {
    const status = rootOf('canaries').properties!.status!;
    expect(status.properties!.machine).toMatchObject({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(status.properties!.machine).not.toHaveProperty('properties');
    expect(status.properties!.conditions).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    });
    expect(status.properties!.checks!.items!.properties!.value).toMatchObject({
      type: 'number',
      nullable: true,
    });
    expect(status.properties!.lastTransitionTime).toEqual({
      description: expect.any(String),
      type: 'string',
      format: 'date-time',
    });
  });
});

describe('toOpenApiSchema refuses what a structural schema cannot say', () => {
  it.each([
    ['a union of types', z.object({ a: z.union([z.string(), z.number()]) }), 'anyOf'],
    [
      'a strict object',
      z.strictObject({ a: z.string() }).meta({ additionalProperties: false }),
      'additionalProperties false',
    ],
    ['an untyped node', z.object({ a: z.any() }), 'needs a type'],
  ])('%s', (_name, schema, message) => {
    expect(() => toOpenApiSchema(schema)).toThrow(message);
  });
});
