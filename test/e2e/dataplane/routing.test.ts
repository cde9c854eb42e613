// Pure checks of the loopback data plane's routing (TEST INFRASTRUCTURE, docs/dataplane.md): how it
// reads HTTPRoutes, ingress-nginx canary annotations, weights and the behaviour annotations.
import { describe, expect, it } from 'vitest';
import { contourPolicy, type HTTPProxyLike } from './contour-routing.ts';
import { errorRateAnnotation, imageTag, latencyAnnotation, slotState } from './behaviour.ts';
import { gatewayPolicy, type HTTPRouteLike } from './gatewayapi-routing.ts';
import { istioPolicy, type VirtualServiceLike } from './istio-routing.ts';
import { nginxPolicy } from './nginx-routing.ts';
import { traefikPolicy, type TraefikServiceLike } from './traefik-routing.ts';
import { editHeaders, requestInfo, type RouteDecision } from './routing.ts';
import { createPicker } from './weighted.ts';

const served = new Set(['web', 'web-primary', 'web-canary']);
const gw = (route: HTTPRouteLike | undefined, mode: 'random' | 'round-robin' = 'round-robin') =>
  gatewayPolicy(route, {
    namespace: 'ns',
    name: 'web',
    serves: (s) => served.has(s),
    picker: createPicker(mode),
  });
const req = (headers: Record<string, string> = {}, url = '/') => requestInfo('GET', url, headers);
const service = (d: RouteDecision) => ('service' in d ? d.service : `status ${d.status}`);
const refs = (primary: number, canary: number) => [
  { name: 'web-primary', weight: primary },
  { name: 'web-canary', weight: canary },
];

describe('HTTPRoute routing', () => {
  it('answers 404 without a route or a matching rule', () => {
    expect(gw(undefined).decide(req())).toMatchObject({ status: 404 });
    const route = {
      spec: { rules: [{ matches: [{ path: { type: 'Exact', value: '/x' } }], backendRefs: refs(1, 0) }] },
    };
    expect(gw(route).decide(req({}, '/y'))).toMatchObject({ status: 404 });
    expect(service(gw(route).decide(req({}, '/x?a=1')))).toBe('web-primary');
  });

  it('splits by weight exactly in round-robin mode', () => {
    const policy = gw({ spec: { rules: [{ backendRefs: refs(80, 20) }] } });
    const picks = Array.from({ length: 100 }, () => service(policy.decide(req())));
    expect(picks.filter((s) => s === 'web-canary')).toHaveLength(20);
    expect(policy.weights).toEqual([{ 'web-primary': 80, 'web-canary': 20 }]);
  });

  it('sends A/B matches to the canary by header (exact, regex) and cookie, the rest to the primary', () => {
    const policy = gw({
      spec: {
        rules: [
          {
            matches: [
              { headers: [{ type: 'Exact', name: 'X-Canary', value: 'insider' }] },
              { headers: [{ type: 'RegularExpression', name: 'user-agent', value: '.*Firefox.*' }] },
              {
                headers: [
                  { type: 'RegularExpression', name: 'cookie', value: '^(.*?;\\s*)?(canary=always)(;.*)?$' },
                ],
              },
            ],
            backendRefs: refs(0, 100),
          },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [{ name: 'web-primary', weight: 100 }],
          },
        ],
      },
    });
    expect(service(policy.decide(req({ 'x-canary': 'insider' })))).toBe('web-canary');
    expect(service(policy.decide(req({ 'x-canary': 'insider2' })))).toBe('web-primary');
    expect(service(policy.decide(req({ 'user-agent': 'Mozilla/5.0 Firefox/128' })))).toBe('web-canary');
    expect(service(policy.decide(req({ cookie: 'a=b; canary=always' })))).toBe('web-canary');
    expect(service(policy.decide(req({ cookie: 'canary=never' })))).toBe('web-primary');
    expect(service(policy.decide(req()))).toBe('web-primary');
  });

  it('prefers the more specific rule whatever the order', () => {
    const policy = gw({
      spec: {
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web-primary' }] },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
            backendRefs: [{ name: 'web-canary' }],
          },
        ],
      },
    });
    expect(service(policy.decide(req({}, '/api/v1')))).toBe('web-canary');
    expect(service(policy.decide(req({}, '/apix')))).toBe('web-primary');
  });

  it('answers 500 for zero weights and for backends it does not serve', () => {
    expect(gw({ spec: { rules: [{ backendRefs: refs(0, 0) }] } }).decide(req())).toMatchObject({
      status: 500,
    });
    const foreign = { spec: { rules: [{ backendRefs: [{ name: 'web-primary', namespace: 'other' }] }] } };
    expect(gw(foreign).decide(req())).toMatchObject({ status: 500 });
    expect(gw({ spec: { rules: [{ backendRefs: [{ name: 'db' }] }] } }).decide(req())).toMatchObject({
      status: 500,
    });
  });

  it('mirrors to the RequestMirror backend', () => {
    const policy = gw({
      spec: {
        rules: [
          {
            backendRefs: refs(100, 0),
            filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-canary' } } }],
          },
        ],
      },
    });
    expect(policy.decide(req())).toEqual({ service: 'web-primary', mirrors: ['web-canary'] });
  });

  it('edits the answer headers with the rule and the chosen backend ResponseHeaderModifiers', () => {
    const modifier = (add: Array<{ name: string; value: string }>) => [
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { add } },
    ];
    const policy = gw({
      spec: {
        rules: [
          {
            filters: modifier([{ name: 'X-Rule', value: 'r' }]),
            backendRefs: [
              { name: 'web-primary', weight: 1, filters: modifier([{ name: 'Set-Cookie', value: 'p=1' }]) },
              { name: 'web-canary', weight: 1, filters: modifier([{ name: 'Set-Cookie', value: 'c=1' }]) },
            ],
          },
        ],
      },
    });
    const first = policy.decide(req());
    const second = policy.decide(req());
    expect(service(first)).toBe('web-primary');
    expect('responseHeaders' in first && first.responseHeaders).toEqual([
      { add: [{ name: 'X-Rule', value: 'r' }] },
      { add: [{ name: 'Set-Cookie', value: 'p=1' }] },
    ]);
    expect('responseHeaders' in second && second.responseHeaders?.[1]).toEqual({
      add: [{ name: 'Set-Cookie', value: 'c=1' }],
    });
    // add appends to what the backend sent, set replaces, remove drops.
    const edited = editHeaders({ 'set-cookie': ['app=1'], server: 'x', 'x-drop': 'y' }, [
      {
        add: [{ name: 'Set-Cookie', value: 'c=1' }],
        set: [{ name: 'Server', value: 'gw' }],
        remove: ['X-Drop'],
      },
    ]);
    expect(edited).toEqual({ 'set-cookie': ['app=1', 'c=1'], server: 'gw' });
  });

  it('matches the weights within sampling error in random mode', () => {
    const policy = gw({ spec: { rules: [{ backendRefs: refs(70, 30) }] } }, 'random');
    const n = 20_000;
    const canary = Array.from({ length: n }, () => service(policy.decide(req()))).filter(
      (s) => s === 'web-canary',
    );
    expect(Math.abs(canary.length / n - 0.3)).toBeLessThan(4.5 * Math.sqrt((0.3 * 0.7) / n));
  });
});

describe('VirtualService routing', () => {
  const vs = (http: unknown[]) =>
    istioPolicy({ spec: { http } } as VirtualServiceLike, {
      namespace: 'ns',
      name: 'web',
      serves: (s) => served.has(s),
      picker: createPicker('round-robin'),
    });
  const dest = (host: string, weight?: number) => ({
    destination: { host },
    ...(weight === undefined ? {} : { weight }),
  });

  it('takes the first route that matches, in order, and splits it by weight', () => {
    const policy = vs([
      {
        match: [{ headers: { 'X-Canary': { exact: 'insider' } } }, { uri: { prefix: '/beta' } }],
        route: [dest('web-canary')],
      },
      { route: [dest('web-primary', 80), dest('web-canary.ns.svc.cluster.local', 20)] },
    ]);
    expect(service(policy.decide(req({ 'x-canary': 'insider' })))).toBe('web-canary');
    expect(service(policy.decide(req({}, '/beta/x')))).toBe('web-canary');
    const picks = Array.from({ length: 100 }, () => service(policy.decide(req())));
    expect(picks.filter((x) => x === 'web-canary')).toHaveLength(20);
    expect(policy.weights).toEqual([{ 'web-canary': 100 }, { 'web-primary': 80, 'web-canary': 20 }]);
  });

  it('regex matches the whole value; mirror copies; unknown hosts and no match are router answers', () => {
    const policy = vs([
      {
        match: [{ queryParams: { v: { regex: '2\\..*' } }, method: { exact: 'GET' } }],
        route: [dest('web-canary')],
      },
      { route: [dest('web-primary', 100), dest('web-canary', 0)], mirror: { host: 'web-canary' } },
    ]);
    expect(service(policy.decide(req({}, '/?v=2.1')))).toBe('web-canary');
    expect(service(policy.decide(req({}, '/?v=12.1')))).toBe('web-primary');
    expect(policy.decide(req())).toEqual({ service: 'web-primary', mirrors: ['web-canary'] });
    expect(vs([{ route: [dest('other')] }]).decide(req())).toMatchObject({ status: 500 });
    expect(vs([{ match: [{ uri: { exact: '/x' } }], route: [dest('web')] }]).decide(req())).toMatchObject({
      status: 404,
    });
  });
});

describe('HTTPProxy routing', () => {
  const proxy = (routes: unknown[]) =>
    contourPolicy({ spec: { routes } } as HTTPProxyLike, {
      namespace: 'ns',
      name: 'web',
      serves: (s) => served.has(s),
      picker: createPicker('round-robin'),
    });
  const svc = (name: string, weight?: number, mirror?: boolean) => ({
    name,
    ...(weight === undefined ? {} : { weight }),
    ...(mirror ? { mirror } : {}),
  });

  it('prefers the route with more header conditions whatever the order, and splits by weight', () => {
    const policy = proxy([
      { conditions: [{ prefix: '/' }], services: [svc('web-primary', 70), svc('web-canary', 30)] },
      {
        conditions: [{ prefix: '/' }, { header: { name: 'x-canary', regex: '^ins.*' } }],
        services: [svc('web-primary', 0), svc('web-canary', 100)],
      },
    ]);
    expect(service(policy.decide(req({ 'x-canary': 'insider' })))).toBe('web-canary');
    const picks = Array.from({ length: 100 }, () => service(policy.decide(req())));
    expect(picks.filter((x) => x === 'web-canary')).toHaveLength(30);
    expect(policy.weights[0]).toEqual({ 'web-primary': 70, 'web-canary': 30 });
  });

  it('mirrors to a mirror service; query and path conditions; 404 without a match', () => {
    const policy = proxy([
      {
        conditions: [{ prefix: '/api' }, { queryParameter: { name: 'v', exact: '2' } }],
        services: [svc('web-canary')],
      },
      {
        conditions: [{ prefix: '/' }],
        services: [svc('web-primary', 100), svc('web-canary', 0), svc('web-canary', undefined, true)],
      },
    ]);
    expect(service(policy.decide(req({}, '/api/x?v=2')))).toBe('web-canary');
    expect(service(policy.decide(req({}, '/apix?v=2')))).toBe('web-primary');
    expect(policy.decide(req())).toEqual({ service: 'web-primary', mirrors: ['web-canary'] });
    expect(proxy([{ conditions: [{ exact: '/only' }], services: [svc('web')] }]).decide(req())).toMatchObject(
      {
        status: 404,
      },
    );
  });
});

describe('TraefikService routing', () => {
  const ts = (services: unknown[]) =>
    traefikPolicy({ spec: { weighted: { services } } } as TraefikServiceLike, {
      namespace: 'ns',
      name: 'web',
      serves: (s) => served.has(s),
      picker: createPicker('round-robin'),
    });

  it('splits every request by weight over the weighted services; other namespaces are not served', () => {
    const policy = ts([
      { name: 'web-primary', weight: 75 },
      { name: 'web-canary', weight: 25 },
    ]);
    const picks = Array.from({ length: 100 }, () => service(policy.decide(req())));
    expect(picks.filter((x) => x === 'web-canary')).toHaveLength(25);
    expect(policy.weights).toEqual([{ 'web-primary': 75, 'web-canary': 25 }]);
    expect(ts([{ name: 'web-primary', namespace: 'other' }]).decide(req())).toMatchObject({ status: 500 });
    expect(
      traefikPolicy(undefined, {
        namespace: 'ns',
        name: 'web',
        serves: () => true,
        picker: createPicker('random'),
      }).decide(req()),
    ).toMatchObject({ status: 404 });
  });
});

describe('ingress-nginx canary routing', () => {
  const p = 'nginx.ingress.kubernetes.io';
  const ingress = (annotations: Record<string, string>) => ({
    metadata: { name: 'web-canary', annotations },
    spec: {
      rules: [
        { http: { paths: [{ backend: { service: { name: 'web-canary', port: { number: 8080 } } } }] } },
      ],
    },
  });
  const nginx = (annotations: Record<string, string> | undefined) =>
    nginxPolicy(annotations ? ingress(annotations) : undefined, {
      namespace: 'ns',
      name: 'web-canary',
      mainService: 'web',
      picker: createPicker('round-robin'),
    });

  it('routes everything to the main Service when the canary is off or absent', () => {
    expect(service(nginx(undefined).decide(req()))).toBe('web');
    expect(service(nginx({ [`${p}/canary`]: 'false', [`${p}/canary-weight`]: '100' }).decide(req()))).toBe(
      'web',
    );
  });

  it('splits by canary-weight and names the canary upstream', () => {
    const policy = nginx({ [`${p}/canary`]: 'true', [`${p}/canary-weight`]: '25' });
    const picks = Array.from({ length: 100 }, () => policy.decide(req()));
    expect(picks.filter((d) => service(d) === 'web-canary')).toHaveLength(25);
    expect(picks.find((d) => service(d) === 'web-canary')).toMatchObject({
      canaryUpstream: 'ns-web-canary-8080',
    });
  });

  it('applies header, then cookie, then weight', () => {
    const byHeader = nginx({
      [`${p}/canary`]: 'true',
      [`${p}/canary-by-header`]: 'x-canary',
      [`${p}/canary-by-cookie`]: 'c',
    });
    expect(service(byHeader.decide(req({ 'x-canary': 'always' })))).toBe('web-canary');
    expect(service(byHeader.decide(req({ 'x-canary': 'never', cookie: 'c=always' })))).toBe('web');
    expect(service(byHeader.decide(req({ 'x-canary': 'maybe', cookie: 'c=always' })))).toBe('web-canary');
    expect(service(byHeader.decide(req({ 'x-canary': 'maybe' })))).toBe('web');
    const byValue = nginx({
      [`${p}/canary`]: 'true',
      [`${p}/canary-by-header`]: 'x-user',
      [`${p}/canary-by-header-value`]: 'beta',
    });
    expect(service(byValue.decide(req({ 'x-user': 'beta' })))).toBe('web-canary');
    expect(service(byValue.decide(req({ 'x-user': 'always' })))).toBe('web');
    const byPattern = nginx({
      [`${p}/canary`]: 'true',
      [`${p}/canary-by-header`]: 'x-user',
      [`${p}/canary-by-header-pattern`]: '^be',
    });
    expect(service(byPattern.decide(req({ 'x-user': 'beta' })))).toBe('web-canary');
    expect(service(byPattern.decide(req({ 'x-user': 'alpha' })))).toBe('web');
  });
});

describe('slot behaviour', () => {
  const deployment = (
    annotations: Record<string, string>,
    image = 'ghcr.io/acme/web:2.0.1',
    replicas = 1,
  ) => ({
    spec: { replicas, template: { metadata: { annotations }, spec: { containers: [{ image }] } } },
  });

  it('reads the annotations and the image tag', () => {
    const s = slotState('web', deployment({ [errorRateAnnotation]: '0.25', [latencyAnnotation]: '40' }));
    expect(s).toMatchObject({
      serving: true,
      version: '2.0.1',
      behaviour: { errorRate: 0.25, latencyMs: 40 },
      problems: [],
    });
  });

  it('defaults bad values and reports them', () => {
    const s = slotState('web', deployment({ [errorRateAnnotation]: '1.5', [latencyAnnotation]: 'slow' }));
    expect(s.behaviour).toEqual({ errorRate: 0, latencyMs: 0 });
    expect(s.problems).toHaveLength(2);
  });

  it('does not serve without a Deployment or with zero replicas', () => {
    expect(slotState('web', undefined)).toMatchObject({ serving: false, reason: 'Deployment web not found' });
    expect(slotState('web', deployment({}, 'web:1', 0)).serving).toBe(false);
  });

  it('takes the tag from an image reference', () => {
    expect(imageTag('localhost:5000/web:1.2@sha256:abc')).toBe('1.2');
    expect(imageTag('localhost:5000/web')).toBe('latest');
    expect(imageTag(undefined)).toBe('');
  });
});
