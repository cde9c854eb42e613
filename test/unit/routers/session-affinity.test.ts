import { describe, expect, it } from 'vitest';
import {
  cookieHeaderRegex,
  expireCookie,
  sessionCookies,
  setCookie,
} from '../../../operator/src/routers/session-affinity.ts';

const config = { cookieName: 'flagger-cookie', maxAgeSeconds: 120 };

describe('sessionCookies', () => {
  it('is the same for the same Canary and release, on any pass or replica', () => {
    expect(sessionCookies(config, 'uid-1', 'rev-a')).toEqual(sessionCookies(config, 'uid-1', 'rev-a'));
  });

  it('differs per release and per Canary, so an earlier cookie pins nobody', () => {
    const a = sessionCookies(config, 'uid-1', 'rev-a').canary.value;
    expect(sessionCookies(config, 'uid-1', 'rev-b').canary.value).not.toBe(a);
    expect(sessionCookies(config, 'uid-2', 'rev-a').canary.value).not.toBe(a);
  });

  it('gives the primary its own value only when primaryCookieName is set', () => {
    expect(sessionCookies(config, 'u', 'r').primary).toBeUndefined();
    const both = sessionCookies({ ...config, primaryCookieName: 'stay' }, 'u', 'r');
    expect(both.primary?.name).toBe('stay');
    expect(both.primary?.value).not.toBe(both.canary.value);
  });
});

describe('cookieHeaderRegex', () => {
  const c = { name: 'a.b', value: 'f00d' };
  const full = (header: string) => new RegExp(`^(?:${cookieHeaderRegex(c)})$`).test(header);

  it.each(['a.b=f00d', 'x=1; a.b=f00d', 'a.b=f00d; y=2', 'x=1;a.b=f00d;y=2'])('matches %s', (h) => {
    expect(full(h)).toBe(true);
  });

  // The name is a literal: "." is not a wildcard, and another value (an older release) does not match.
  it.each(['aXb=f00d', 'a.b=f00e', 'a.b=f00dd', 'xa.b=f00d', ''])('does not match %s', (h) => {
    expect(full(h)).toBe(false);
  });
});

describe('Set-Cookie values', () => {
  it('gives the cookie for the whole host and expires it with Max-Age=0', () => {
    const c = { name: 'n', value: 'v' };
    expect(setCookie(c, 60)).toBe('n=v; Max-Age=60; Path=/');
    expect(expireCookie(c)).toBe('n=v; Max-Age=0; Path=/');
  });
});
