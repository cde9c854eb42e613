import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import { InvalidRoutingError } from '../../../operator/src/routers/errors.ts';
import {
  buildCanaryIngress,
  canaryAnnotations,
  canaryIngressWeights,
  copiedKeysAnnotation,
  type Ingress,
} from '../../../operator/src/routers/nginx-object.ts';
import type { HttpMatch, RouteWeights } from '../../../operator/src/routers/router.ts';
import { ownerRef, target } from './target.ts';

const object = 'Ingress shop/web-canary';
const managedBy = { 'app.kubernetes.io/managed-by': 'fledge' };
const a = (suffix: string) => `nginx.ingress.kubernetes.io/canary${suffix}`;
const t = target({ ingressRef: { name: 'web' } });

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const source: Ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'web-uid',
    resourceVersion: '7',
    labels: { app: 'web' },
    annotations: {
      'nginx.ingress.kubernetes.io/rewrite-target': '/',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      [a('')]: 'false',
    },
  },
  spec: {
    ingressClassName: 'nginx',
    defaultBackend: backend('checkout'),
    rules: [
      {
        host: 'shop.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: backend('checkout') },
            { path: '/static', pathType: 'Prefix', backend: backend('assets') },
          ],
        },
      },
    ],
  },
};

describe('canary Ingress annotations (Flagger mapping)', () => {
  it.each<[string, HttpMatch[] | undefined, RouteWeights, Record<string, string>]>([
    ['weight 0 switches the canary off', undefined, { primary: 100, canary: 0 }, { [a('')]: 'false' }],
    ['weight 10', undefined, { primary: 90, canary: 10 }, { [a('')]: 'true', [a('-weight')]: '10' }],
    ['weight 100', undefined, { primary: 0, canary: 100 }, { [a('')]: 'true', [a('-weight')]: '100' }],
    [
      'A/B exact header -> canary-by-header + canary-by-header-value',
      [{ headers: { 'x-canary': { exact: 'insider' } } }],
      { primary: 0, canary: 100 },
      { [a('')]: 'true', [a('-by-header')]: 'x-canary', [a('-by-header-value')]: 'insider' },
    ],
    [
      'A/B regex header -> canary-by-header-pattern',
      [{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }],
      { primary: 0, canary: 100 },
      { [a('')]: 'true', [a('-by-header')]: 'user-agent', [a('-by-header-pattern')]: '.*Firefox.*' },
    ],
    [
      'A/B prefix header -> escaped canary-by-header-pattern',
      [{ headers: { 'x-build': { prefix: '1.2' } } }],
      { primary: 0, canary: 100 },
      { [a('')]: 'true', [a('-by-header')]: 'x-build', [a('-by-header-pattern')]: '^1\\.2.*' },
    ],
    [
      'A/B cookie -> canary-by-cookie (the cookie name; value "always" routes to the canary)',
      [{ headers: { cookie: { exact: 'canary' } } }],
      { primary: 0, canary: 100 },
      { [a('')]: 'true', [a('-by-cookie')]: 'canary' },
    ],
    [
      'A/B header and cookie in separate conditions',
      [{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { cookie: { exact: 'canary' } } }],
      { primary: 0, canary: 100 },
      {
        [a('')]: 'true',
        [a('-by-header')]: 'x-canary',
        [a('-by-header-value')]: 'insider',
        [a('-by-cookie')]: 'canary',
      },
    ],
    [
      'A/B at weight 0 is off',
      [{ headers: { cookie: { exact: 'canary' } } }],
      { primary: 100, canary: 0 },
      { [a('')]: 'false' },
    ],
  ])('%s', (_name, match, w, expected) => {
    const annotations = canaryAnnotations(target({ ingressRef: { name: 'web' }, match }), w, object);
    expect(annotations).toEqual(expected);
    expect(
      canaryIngressWeights({ apiVersion: 'v1', kind: 'Ingress', metadata: { name: 'x', annotations } }),
    ).toEqual({
      ...w,
      mirror: false,
    });
  });

  it.each<[string, HttpMatch[] | undefined, RouteWeights, RegExp]>([
    ['mirroring', undefined, { primary: 100, canary: 0, mirror: true }, /cannot mirror/],
    [
      'a partial A/B split',
      [{ headers: { a: { exact: 'b' } } }],
      { primary: 50, canary: 50 },
      /A\/B sends matching requests to one side/,
    ],
    [
      'two different headers',
      [{ headers: { a: { exact: 'b' }, c: { exact: 'd' } } }],
      { primary: 0, canary: 100 },
      /one header only/,
    ],
    [
      'a cookie regex',
      [{ headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } }],
      { primary: 0, canary: 100 },
      /exact name/,
    ],
    ['a uri match', [{ uri: { prefix: '/api' } }], { primary: 0, canary: 100 }, /headers and cookies only/],
    ['a header without operation', [{ headers: { a: {} } }], { primary: 0, canary: 100 }, /exactly one of/],
  ])('refuses %s', (_name, match, w, message) => {
    const run = () => canaryAnnotations(target({ ingressRef: { name: 'web' }, match }), w, object);
    expect(run).toThrow(InvalidRoutingError);
    expect(run).toThrow(message);
  });
});

describe('buildCanaryIngress', () => {
  it('clones the source Ingress, moves apex backends to the canary Service, and owns the clone', () => {
    const ingress = buildCanaryIngress(t, { primary: 90, canary: 10 }, source, undefined, object);
    expect(ingress).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'web-canary',
        namespace: 'shop',
        labels: { app: 'web', ...managedBy },
        annotations: {
          'nginx.ingress.kubernetes.io/rewrite-target': '/',
          [a('')]: 'true',
          [a('-weight')]: '10',
          ...GITOPS_OPT_OUT,
          [copiedKeysAnnotation]: JSON.stringify({
            annotations: ['nginx.ingress.kubernetes.io/rewrite-target'],
            labels: ['app'],
          }),
        },
        ownerReferences: [ownerRef],
      },
      spec: {
        ingressClassName: 'nginx',
        defaultBackend: backend('checkout-canary'),
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: backend('checkout-canary') },
                { path: '/static', pathType: 'Prefix', backend: backend('assets') },
              ],
            },
          },
        ],
      },
    });
    expect(source.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('checkout');
  });

  it('keeps foreign metadata on the live clone and drops stale canary annotations', () => {
    const live = buildCanaryIngress(
      target({ ingressRef: { name: 'web' }, match: [{ headers: { a: { exact: 'b' } } }] }),
      { primary: 0, canary: 100 },
      source,
      undefined,
      object,
    );
    live.metadata.annotations = { ...live.metadata.annotations, 'example.com/audit': 'yes' };
    live.metadata.labels = { ...live.metadata.labels, 'example.com/owner': 'sre' };
    const next = buildCanaryIngress(t, { primary: 70, canary: 30 }, source, live, object);
    expect(next.metadata.annotations).toEqual({
      ...GITOPS_OPT_OUT,
      'nginx.ingress.kubernetes.io/rewrite-target': '/',
      'example.com/audit': 'yes',
      [a('')]: 'true',
      [a('-weight')]: '30',
      [copiedKeysAnnotation]: JSON.stringify({
        annotations: ['nginx.ingress.kubernetes.io/rewrite-target'],
        labels: ['app'],
      }),
    });
    expect(next.metadata.labels).toEqual({ app: 'web', 'example.com/owner': 'sre', ...managedBy });
    expect(buildCanaryIngress(t, { primary: 70, canary: 30 }, source, next, object)).toEqual(next);
  });

  it('removes from the clone a key removed from the source, and only keys it copied', () => {
    const first = buildCanaryIngress(t, { primary: 90, canary: 10 }, source, undefined, object);
    first.metadata.annotations = { ...first.metadata.annotations, 'example.com/audit': 'yes' };
    first.metadata.labels = { ...first.metadata.labels, 'example.com/owner': 'sre' };
    const trimmed: Ingress = {
      ...source,
      metadata: { ...source.metadata, annotations: { 'example.com/new': 'x' }, labels: {} },
    };
    const next = buildCanaryIngress(t, { primary: 90, canary: 10 }, trimmed, first, object);
    expect(next.metadata.annotations).toEqual({
      ...GITOPS_OPT_OUT,
      'example.com/audit': 'yes',
      'example.com/new': 'x',
      [a('')]: 'true',
      [a('-weight')]: '10',
      [copiedKeysAnnotation]: JSON.stringify({ annotations: ['example.com/new'], labels: [] }),
    });
    expect(next.metadata.labels).toEqual({ 'example.com/owner': 'sre', ...managedBy });
  });

  it('reads an unreadable record of copied keys as none copied, so no foreign key is dropped', () => {
    const live = buildCanaryIngress(t, { primary: 90, canary: 10 }, source, undefined, object);
    live.metadata.annotations = { ...live.metadata.annotations, [copiedKeysAnnotation]: '{not json' };
    const next = buildCanaryIngress(
      t,
      { primary: 90, canary: 10 },
      { ...source, metadata: { ...source.metadata, annotations: {}, labels: {} } },
      live,
      object,
    );
    expect(next.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']).toBe('/');
    expect(next.metadata.labels).toEqual({ app: 'web', ...managedBy });
  });

  it('refuses a source Ingress with no backend on the apex Service, naming that Ingress', () => {
    const other: Ingress = {
      ...source,
      spec: { rules: [{ http: { paths: [{ pathType: 'Prefix', backend: backend('x') }] } }] },
    };
    expect(() => buildCanaryIngress(t, { primary: 100, canary: 0 }, other, undefined, object)).toThrow(
      'Ingress shop/web: no backend points at Service checkout',
    );
  });

  it.each([
    [{}, { primary: 100, canary: 0, mirror: false }],
    [{ [a('')]: 'true' }, { primary: 100, canary: 0, mirror: false }],
    [
      { [a('')]: 'true', [a('-weight')]: '35' },
      { primary: 65, canary: 35, mirror: false },
    ],
    [
      { [a('')]: 'false', [a('-weight')]: '35' },
      { primary: 100, canary: 0, mirror: false },
    ],
    [{ [a('')]: 'true', [a('-weight')]: 'lots' }, undefined],
    [{ [a('')]: 'true', [a('-weight')]: '101' }, undefined],
  ])('reads annotations %j as %j', (annotations, expected) => {
    expect(
      canaryIngressWeights({ apiVersion: 'v1', kind: 'Ingress', metadata: { name: 'x', annotations } }),
    ).toEqual(expected);
  });
});
