import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import {
  buildHTTPRoute,
  httpRouteWeights,
  revertedHTTPRoute,
  type HTTPRoute,
} from '../../../operator/src/routers/gatewayapi-object.ts';
import type { KubeObject } from '../../../operator/src/routers/kube-object.ts';
import { cookieHeaderRegex, sessionCookies } from '../../../operator/src/routers/session-affinity.ts';
import type { RouteTarget, RouteWeights } from '../../../operator/src/routers/router.ts';
import { ownerRef, target } from './target.ts';

const v1 = 'gateway.networking.k8s.io/v1';
const object = 'HTTPRoute shop/checkout';
const everyPath = { path: { type: 'PathPrefix', value: '/' } };
const backend = (name: string, weight?: number) => ({
  group: '',
  kind: 'Service',
  name,
  port: 8080,
  ...(weight === undefined ? {} : { weight }),
});
const build = (t: RouteTarget, w: RouteWeights, live?: KubeObject) => buildHTTPRoute(t, w, v1, live, object);

describe('buildHTTPRoute', () => {
  it('builds the whole route for a new canary', () => {
    const t = target({
      gatewayRefs: [{ name: 'public', namespace: 'gateways' }],
      hosts: ['shop.example.com'],
    });
    expect(build(t, { primary: 100, canary: 0 })).toEqual({
      apiVersion: v1,
      kind: 'HTTPRoute',
      metadata: {
        name: 'checkout',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'fledge' },
        annotations: { ...GITOPS_OPT_OUT },
        ownerReferences: [ownerRef],
      },
      spec: {
        parentRefs: [
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways' },
        ],
        hostnames: ['shop.example.com'],
        rules: [
          {
            matches: [everyPath],
            backendRefs: [backend('checkout-primary', 100), backend('checkout-canary', 0)],
          },
        ],
      },
    });
  });

  it.each([
    [100, 0],
    [90, 10],
    [50, 50],
    [0, 100],
  ])('weights primary %i canary %i land on the two backendRefs', (primary, canary) => {
    const route = build(target(), { primary, canary });
    expect(route.spec?.rules?.[0]?.backendRefs).toEqual([
      backend('checkout-primary', primary),
      backend('checkout-canary', canary),
    ]);
    expect(httpRouteWeights(target(), route)).toEqual({ primary, canary, mirror: false });
  });

  it.each<[string, RouteTarget['gatewayRefs'], unknown]>([
    [
      'defaults group and kind as the API server would',
      [{ name: 'gw' }],
      [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }],
    ],
    [
      'keeps every field given',
      [
        {
          name: 'mesh',
          group: 'networking.istio.io',
          kind: 'Service',
          namespace: 'istio',
          sectionName: 'http',
          port: 80,
        },
      ],
      [
        {
          name: 'mesh',
          group: 'networking.istio.io',
          kind: 'Service',
          namespace: 'istio',
          sectionName: 'http',
          port: 80,
        },
      ],
    ],
    ['writes an empty list without gatewayRefs', undefined, []],
  ])('parentRefs: %s', (_name, gatewayRefs, expected) => {
    expect(build(target({ gatewayRefs }), { primary: 100, canary: 0 }).spec?.parentRefs).toEqual(expected);
  });

  it.each<[string[] | undefined, string[] | undefined]>([
    [
      ['a.example.com', 'b.example.com'],
      ['a.example.com', 'b.example.com'],
    ],
    [[], undefined],
    [undefined, undefined],
  ])('hostnames from hosts %j', (hosts, expected) => {
    const live: KubeObject = {
      apiVersion: v1,
      kind: 'HTTPRoute',
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: { hostnames: ['stale.example.com'] },
    };
    expect(build(target({ hosts }), { primary: 100, canary: 0 }, live).spec?.hostnames).toEqual(expected);
  });

  it('A/B: matching requests follow the weights, every other request goes to the primary', () => {
    const t = target({ match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
    expect(build(t, { primary: 0, canary: 100 }).spec?.rules).toEqual([
      {
        matches: [{ ...everyPath, headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] }],
        backendRefs: [backend('checkout-primary', 0), backend('checkout-canary', 100)],
      },
      { matches: [everyPath], backendRefs: [backend('checkout-primary', 100)] },
    ]);
    expect(httpRouteWeights(t, build(t, { primary: 0, canary: 100 }))).toEqual({
      primary: 0,
      canary: 100,
      mirror: false,
    });
  });

  it('mirroring adds a RequestMirror filter to the canary on the weighted rule', () => {
    const route = build(target(), { primary: 100, canary: 0, mirror: true });
    expect(route.spec?.rules?.[0]?.filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: backend('checkout-canary') } },
    ]);
    expect(httpRouteWeights(target(), route)).toEqual({ primary: 100, canary: 0, mirror: true });
  });

  describe('session affinity', () => {
    const sa = sessionCookies(
      { cookieName: 'canary-session', primaryCookieName: 'primary-session', maxAgeSeconds: 600 },
      'canary-uid',
      'rev-1',
    );
    const sticky = (c: { name: string; value: string }) => ({
      ...everyPath,
      headers: [{ type: 'RegularExpression', name: 'Cookie', value: cookieHeaderRegex(c) }],
    });
    const setCookie = (value: string) => [
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value }] } },
    ];

    it('during analysis: each backend of the split gives its cookie, and a cookie keeps its side', () => {
      const t = target({ sessionAffinity: sa });
      const route = build(t, { primary: 80, canary: 20 });
      expect(route.spec?.rules).toEqual([
        {
          matches: [everyPath],
          backendRefs: [
            {
              ...backend('checkout-primary', 80),
              filters: setCookie(`primary-session=${sa.primary?.value}; Max-Age=600; Path=/`),
            },
            {
              ...backend('checkout-canary', 20),
              filters: setCookie(`canary-session=${sa.canary.value}; Max-Age=600; Path=/`),
            },
          ],
        },
        { matches: [sticky(sa.canary)], backendRefs: [backend('checkout-canary', 1)] },
        { matches: [sticky(sa.primary!)], backendRefs: [backend('checkout-primary', 1)] },
      ]);
      // The weighted rule is still the one read back.
      expect(httpRouteWeights(t, route)).toEqual({ primary: 80, canary: 20, mirror: false });
    });

    it('at canary weight 0: a returning cookie goes to the primary and is expired', () => {
      const t = target({ sessionAffinity: { canary: sa.canary, maxAgeSeconds: 600 } });
      const route = build(t, { primary: 100, canary: 0 });
      expect(route.spec?.rules).toEqual([
        {
          matches: [everyPath],
          backendRefs: [backend('checkout-primary', 100), backend('checkout-canary', 0)],
        },
        {
          matches: [sticky(sa.canary)],
          filters: setCookie(`canary-session=${sa.canary.value}; Max-Age=0; Path=/`),
          backendRefs: [backend('checkout-primary', 1)],
        },
      ]);
      expect(httpRouteWeights(t, route)).toEqual({ primary: 100, canary: 0, mirror: false });
    });

    it('without a primary cookie the primary backend sets none', () => {
      const t = target({ sessionAffinity: { canary: sa.canary, maxAgeSeconds: 600 } });
      const rules = build(t, { primary: 60, canary: 40 }).spec?.rules ?? [];
      expect(rules).toHaveLength(2);
      expect(rules[0]?.backendRefs?.[0]).toEqual(backend('checkout-primary', 60));
    });
  });

  describe('on a live route', () => {
    const live: HTTPRoute = {
      apiVersion: v1,
      kind: 'HTTPRoute',
      metadata: {
        name: 'checkout',
        namespace: 'shop',
        uid: 'route-uid',
        resourceVersion: '42',
        labels: { team: 'payments' },
        annotations: { 'external-dns.alpha.kubernetes.io/ttl': '60' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm-uid' }],
        finalizers: ['example.com/keep'],
      },
      spec: {
        useDefaultGateways: 'All',
        rules: [{ backendRefs: [backend('somewhere-else', 1)] }],
      },
      status: { parents: [{ controllerName: 'example.com/gw' }] },
    };

    it('keeps labels, annotations, owners, finalizers, spec fields and status it does not own', () => {
      const route = build(
        target({ apexMetadata: { labels: { tier: 'web' } } }),
        { primary: 90, canary: 10 },
        live,
      );
      expect(route.metadata).toEqual({
        ...live.metadata,
        labels: { team: 'payments', tier: 'web', 'app.kubernetes.io/managed-by': 'fledge' },
        annotations: { ...live.metadata.annotations, ...GITOPS_OPT_OUT },
        ownerReferences: [...(live.metadata.ownerReferences ?? []), ownerRef],
      });
      expect(route.spec?.['useDefaultGateways']).toBe('All');
      expect(route.status).toEqual(live.status);
    });

    it('does not touch the live object it was given', () => {
      const before = structuredClone(live);
      build(target(), { primary: 90, canary: 10 }, live);
      expect(live).toEqual(before);
    });

    it('is a fixed point: building on its own output changes nothing', () => {
      const once = build(target(), { primary: 90, canary: 10 }, live);
      expect(build(target(), { primary: 90, canary: 10 }, once)).toEqual(once);
    });

    it('joins as a non-controller owner when another controller owns the route', () => {
      const owned = {
        ...live,
        metadata: {
          ...live.metadata,
          ownerReferences: [{ apiVersion: 'x/v1', kind: 'X', name: 'x', uid: 'x', controller: true }],
        },
      };
      expect(build(target(), { primary: 100, canary: 0 }, owned).metadata.ownerReferences?.[1]).toEqual({
        ...ownerRef,
        controller: false,
      });
    });
  });

  it('revertedHTTPRoute sends everything to the apex Service and lets go of the route', () => {
    const route = build(target({ match: [{ headers: { a: { exact: 'b' } } }] }), { primary: 0, canary: 100 });
    const reverted = revertedHTTPRoute(target(), v1, route);
    expect(reverted.spec?.rules).toEqual([{ matches: [everyPath], backendRefs: [backend('checkout', 100)] }]);
    expect(reverted.metadata.ownerReferences).toBeUndefined();
    expect(httpRouteWeights(target(), reverted)).toBeUndefined();
  });
});
