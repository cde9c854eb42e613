import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import { InvalidRoutingError } from '../../../operator/src/routers/errors.ts';
import {
  buildDestinationRule,
  buildVirtualService,
  destinationRuleRefs,
  revertedVirtualService,
  virtualServiceWeights,
  type VirtualService,
} from '../../../operator/src/routers/istio-object.ts';
import type { RouteTarget, RouteWeights } from '../../../operator/src/routers/router.ts';
import { ownerRef, target } from './target.ts';

const v1 = 'networking.istio.io/v1';
const object = 'VirtualService shop/checkout';
const build = (t: RouteTarget, w: RouteWeights, live?: VirtualService) =>
  buildVirtualService(t, w, live, object);
const to = (host: string, weight: number) => ({ destination: { host }, weight });
const managed = { 'app.kubernetes.io/managed-by': 'fledge' };

describe('Istio VirtualService', () => {
  it('builds the whole object for a new canary: the apex host, the mesh gateway, one weighted route', () => {
    expect(build(target(), { primary: 100, canary: 0 })).toEqual({
      apiVersion: v1,
      kind: 'VirtualService',
      metadata: {
        name: 'checkout',
        namespace: 'shop',
        labels: managed,
        annotations: { ...GITOPS_OPT_OUT },
        ownerReferences: [ownerRef],
      },
      spec: {
        hosts: ['checkout'],
        gateways: ['mesh'],
        http: [{ route: [to('checkout-primary', 100), to('checkout-canary', 0)] }],
      },
    });
  });

  it.each([
    [['app.example.com'], ['app.example.com', 'checkout']],
    [
      ['checkout', 'app.example.com'],
      ['checkout', 'app.example.com'],
    ],
    [['*'], ['*']],
  ])('hosts %j become %j (the apex Service added unless listed or *)', (hosts, expected) => {
    expect(build(target({ hosts }), { primary: 100, canary: 0 }).spec?.hosts).toEqual(expected);
  });

  it('uses the given gateways instead of the mesh', () => {
    const t = target({ istio: { gateways: ['istio-ingress/public', 'mesh'] } });
    expect(build(t, { primary: 90, canary: 10 }).spec?.gateways).toEqual(['istio-ingress/public', 'mesh']);
  });

  it('A/B: the matches on the weighted route, everything else to the primary; suffix as a regex', () => {
    const t = target({
      match: [
        {
          headers: { 'x-canary': { exact: 'insider' }, cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } },
        },
        { uri: { suffix: '.json' }, method: { exact: 'GET' }, queryParams: { beta: { prefix: '1' } } },
      ],
    });
    const vs = build(t, { primary: 0, canary: 100 });
    expect(vs.spec?.http).toEqual([
      {
        match: [
          {
            headers: {
              cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' },
              'x-canary': { exact: 'insider' },
            },
          },
          { queryParams: { beta: { prefix: '1' } }, uri: { regex: '.*\\.json$' }, method: { exact: 'GET' } },
        ],
        route: [to('checkout-primary', 0), to('checkout-canary', 100)],
      },
      { route: [to('checkout-primary', 100)] },
    ]);
    expect(virtualServiceWeights(t, vs)).toEqual({ primary: 0, canary: 100, mirror: false });
  });

  it('refuses a match the mesh cannot express', () => {
    expect(() => build(target({ match: [{}] }), { primary: 100, canary: 0 })).toThrow(InvalidRoutingError);
    expect(() =>
      build(target({ match: [{ headers: { x: { exact: 'a', prefix: 'b' } } }] }), {
        primary: 100,
        canary: 0,
      }),
    ).toThrow(/exactly one of/);
  });

  it('mirroring adds a mirror to the canary on the weighted route, read back as such', () => {
    const vs = build(target(), { primary: 100, canary: 0, mirror: true });
    expect(vs.spec?.http?.[0]?.mirror).toEqual({ host: 'checkout-canary' });
    expect(virtualServiceWeights(target(), vs)).toEqual({ primary: 100, canary: 0, mirror: true });
    expect(build(target(), { primary: 100, canary: 0 }, vs).spec?.http?.[0]).not.toHaveProperty('mirror');
  });

  it('keeps what others wrote on a live object: labels, annotations, spec fields such as exportTo', () => {
    const live: VirtualService = {
      apiVersion: v1,
      kind: 'VirtualService',
      metadata: {
        name: 'checkout',
        namespace: 'shop',
        resourceVersion: '7',
        labels: { team: 'payments' },
        annotations: { note: 'kept' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm' }],
      },
      spec: { exportTo: ['.'], hosts: ['old'], http: [{ route: [to('elsewhere', 100)] }] },
    };
    const vs = build(target(), { primary: 80, canary: 20 }, live);
    expect(vs.metadata).toMatchObject({
      resourceVersion: '7',
      labels: { team: 'payments', ...managed },
      annotations: { note: 'kept', ...GITOPS_OPT_OUT },
    });
    expect(vs.metadata.ownerReferences).toHaveLength(2);
    expect(vs.spec).toEqual({
      exportTo: ['.'],
      hosts: ['checkout'],
      gateways: ['mesh'],
      http: [{ route: [to('checkout-primary', 80), to('checkout-canary', 20)] }],
    });
    // A fixed point: building again from the result changes nothing.
    expect(build(target(), { primary: 80, canary: 20 }, vs)).toEqual(vs);
  });

  it('revertOnDeletion: everything to the apex Service, fledge no longer an owner', () => {
    const owned = build(target(), { primary: 50, canary: 50 });
    const reverted = revertedVirtualService(target(), owned);
    expect(reverted.spec?.http).toEqual([{ route: [to('checkout', 100)] }]);
    expect(reverted.metadata.ownerReferences).toBeUndefined();
    expect(virtualServiceWeights(target(), reverted)).toBeUndefined();
  });
});

describe('Istio DestinationRules', () => {
  it('one per Service, host the Service, with the Canary trafficPolicy', () => {
    const t = target({ istio: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } });
    const refs = destinationRuleRefs(t);
    expect(refs.map((r) => r.name)).toEqual(['checkout-primary', 'checkout-canary']);
    const rule = buildDestinationRule(t, refs[0]!, undefined);
    expect(rule).toMatchObject({
      apiVersion: v1,
      kind: 'DestinationRule',
      metadata: { name: 'checkout-primary', namespace: 'shop', labels: managed, ownerReferences: [ownerRef] },
      spec: { host: 'checkout-primary', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    // Removing trafficPolicy from the Canary removes it from the rules; other spec fields stay.
    const live = { ...rule, spec: { ...rule.spec, exportTo: ['.'] } };
    expect(buildDestinationRule(target(), refs[0]!, live).spec).toEqual({
      host: 'checkout-primary',
      exportTo: ['.'],
    });
  });
});
