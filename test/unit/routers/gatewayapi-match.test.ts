import { describe, expect, it } from 'vitest';
import { InvalidRoutingError } from '../../../operator/src/routers/errors.ts';
import { toRouteMatches, type HTTPRouteMatch } from '../../../operator/src/routers/gatewayapi-match.ts';
import type { HttpMatch } from '../../../operator/src/routers/router.ts';
import { escapeRegex } from '../../../operator/src/routers/string-match.ts';

const everyPath = { type: 'PathPrefix', value: '/' } as const;
const object = 'HTTPRoute shop/checkout';

describe('Gateway API match translation', () => {
  it.each<[string, HttpMatch, HTTPRouteMatch]>([
    [
      'exact header -> Exact',
      { headers: { 'x-canary': { exact: 'insider' } } },
      { path: everyPath, headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] },
    ],
    [
      'regex header -> RegularExpression, as given',
      { headers: { 'user-agent': { regex: '.*Firefox.*' } } },
      { path: everyPath, headers: [{ type: 'RegularExpression', name: 'user-agent', value: '.*Firefox.*' }] },
    ],
    [
      'prefix header -> anchored, escaped RegularExpression',
      { headers: { 'x-build': { prefix: 'v1.2+' } } },
      { path: everyPath, headers: [{ type: 'RegularExpression', name: 'x-build', value: '^v1\\.2\\+.*' }] },
    ],
    [
      'suffix header -> anchored, escaped RegularExpression',
      { headers: { host: { suffix: '.example.com' } } },
      {
        path: everyPath,
        headers: [{ type: 'RegularExpression', name: 'host', value: '.*\\.example\\.com$' }],
      },
    ],
    [
      'cookie regex (Flagger Gateway API style) -> Cookie header RegularExpression',
      { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } },
      {
        path: everyPath,
        headers: [{ type: 'RegularExpression', name: 'cookie', value: '^(.*?;)?(canary=always)(;.*)?$' }],
      },
    ],
    [
      'several headers in one condition, sorted by name (all must match)',
      { headers: { 'x-b': { exact: '2' }, 'x-a': { exact: '1' } } },
      {
        path: everyPath,
        headers: [
          { type: 'Exact', name: 'x-a', value: '1' },
          { type: 'Exact', name: 'x-b', value: '2' },
        ],
      },
    ],
    [
      'query parameters',
      { queryParams: { beta: { exact: 'yes' }, v: { prefix: '2' } } },
      {
        path: everyPath,
        queryParams: [
          { type: 'Exact', name: 'beta', value: 'yes' },
          { type: 'RegularExpression', name: 'v', value: '^2.*' },
        ],
      },
    ],
    [
      'uri prefix -> PathPrefix',
      { uri: { prefix: '/api' } },
      { path: { type: 'PathPrefix', value: '/api' } },
    ],
    ['uri exact -> Exact', { uri: { exact: '/login' } }, { path: { type: 'Exact', value: '/login' } }],
    [
      'uri regex -> RegularExpression',
      { uri: { regex: '/v[0-9]+/.*' } },
      { path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } },
    ],
    ['method, upper-cased', { method: { exact: 'post' } }, { path: everyPath, method: 'POST' }],
  ])('%s', (_name, match, expected) => {
    expect(toRouteMatches(object, [match])).toEqual([expected]);
  });

  it('keeps one HTTPRouteMatch per condition (any condition matches)', () => {
    const matches = toRouteMatches(object, [
      { headers: { 'x-canary': { exact: 'insider' } } },
      { headers: { cookie: { regex: 'canary' } } },
    ]);
    expect(matches).toHaveLength(2);
  });

  it.each<[string, HttpMatch, RegExp]>([
    ['no operation', { headers: { 'x-canary': {} } }, /header x-canary: .*exactly one.*got none/],
    ['two operations', { headers: { 'x-canary': { exact: 'a', regex: 'b' } } }, /got exact, regex/],
    ['an empty condition', {}, /empty match would send every request/],
    ['a regex method', { method: { regex: 'GET|POST' } }, /one exact HTTP method/],
    ['an unknown method', { method: { exact: 'FETCH' } }, /one exact HTTP method/],
  ])('refuses %s, naming the route', (_name, match, message) => {
    const err = (() => {
      try {
        toRouteMatches(object, [match]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidRoutingError);
    expect((err as Error).message).toMatch(new RegExp(`^${escapeRegex(object)}: `));
    expect((err as Error).message).toMatch(message);
  });

  it('escapes every regex metacharacter', () => {
    const literal = '\\^$.*+?()[]{}|';
    expect(new RegExp(`^${escapeRegex(literal)}$`).test(literal)).toBe(true);
  });
});
