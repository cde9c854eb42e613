import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import {
  buildHTTPProxy,
  httpProxyWeights,
  revertedHTTPProxy,
  type HTTPProxy,
} from '../../../operator/src/routers/contour-object.ts';
import { InvalidRoutingError } from '../../../operator/src/routers/errors.ts';
import type { RouteTarget, RouteWeights } from '../../../operator/src/routers/router.ts';
import { ownerRef, target } from './target.ts';

const object = 'HTTPProxy shop/checkout';
const build = (t: RouteTarget, w: RouteWeights, live?: HTTPProxy) => buildHTTPProxy(t, w, live, object);
const svc = (name: string, weight: number) => ({
  name,
  port: 8080,
  weight,
  requestHeadersPolicy: { set: [{ name: 'l5d-dst-override', value: `${name}.shop.svc.cluster.local:8080` }] },
});

describe('Contour HTTPProxy', () => {
  it('builds the whole object for a new canary: no virtualhost, / split by weight', () => {
    expect(build(target(), { primary: 90, canary: 10 })).toEqual({
      apiVersion: 'projectcontour.io/v1',
      kind: 'HTTPProxy',
      metadata: {
        name: 'checkout',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'fledge' },
        annotations: { ...GITOPS_OPT_OUT },
        ownerReferences: [ownerRef],
      },
      spec: {
        routes: [
          {
            conditions: [{ prefix: '/' }],
            services: [svc('checkout-primary', 90), svc('checkout-canary', 10)],
          },
        ],
      },
    });
  });

  it('A/B: one route per alternative (Contour ANDs a route’s conditions), then everything else to the primary', () => {
    const t = target({
      match: [
        { headers: { 'x-canary': { exact: 'insider' }, 'user-agent': { suffix: 'Firefox' } } },
        { uri: { prefix: '/beta' }, queryParams: { v: { exact: '2' } } },
      ],
    });
    const routes = build(t, { primary: 0, canary: 100 }).spec?.routes;
    expect(routes?.map((r) => r.conditions)).toEqual([
      [
        { prefix: '/' },
        { header: { name: 'user-agent', regex: '.*Firefox$' } },
        { header: { name: 'x-canary', exact: 'insider' } },
      ],
      [{ prefix: '/beta' }, { queryParameter: { name: 'v', exact: '2' } }],
      [{ prefix: '/' }],
    ]);
    expect(routes?.[0]?.services).toEqual([svc('checkout-primary', 0), svc('checkout-canary', 100)]);
    expect(routes?.[2]?.services).toEqual([svc('checkout-primary', 100), svc('checkout-canary', 0)]);
    expect(httpProxyWeights(t, build(t, { primary: 0, canary: 100 }))).toEqual({
      primary: 0,
      canary: 100,
      mirror: false,
    });
  });

  it('refuses a method match, which Contour cannot express', () => {
    expect(() =>
      build(target({ match: [{ method: { exact: 'GET' } }] }), { primary: 100, canary: 0 }),
    ).toThrow(InvalidRoutingError);
  });

  it('mirroring adds the canary as a mirror service, read back as such', () => {
    const p = build(target(), { primary: 100, canary: 0, mirror: true });
    expect(p.spec?.routes?.[0]?.services?.[2]).toEqual({ name: 'checkout-canary', port: 8080, mirror: true });
    expect(httpProxyWeights(target(), p)).toEqual({ primary: 100, canary: 0, mirror: true });
  });

  it('keeps a virtualhost and other fields on a live proxy; reverts to the apex Service', () => {
    const live: HTTPProxy = {
      apiVersion: 'projectcontour.io/v1',
      kind: 'HTTPProxy',
      metadata: { name: 'checkout', namespace: 'shop', resourceVersion: '3', labels: { team: 'a' } },
      spec: { virtualhost: { fqdn: 'shop.example.com' }, routes: [] },
    };
    const p = build(target(), { primary: 50, canary: 50 }, live);
    expect(p.spec?.['virtualhost']).toEqual({ fqdn: 'shop.example.com' });
    expect(p.metadata.labels).toEqual({ team: 'a', 'app.kubernetes.io/managed-by': 'fledge' });
    expect(build(target(), { primary: 50, canary: 50 }, p)).toEqual(p);
    const reverted = revertedHTTPProxy(target(), p);
    expect(reverted.spec?.routes).toEqual([
      { conditions: [{ prefix: '/' }], services: [{ name: 'checkout', port: 8080 }] },
    ]);
    expect(reverted.metadata.ownerReferences).toBeUndefined();
  });
});
