// Session affinity (Flagger's analysis.sessionAffinity) as cookies and Cookie-header matches. Pure.
//
// While the canary takes weight, a user the split sends to the canary gets
// `Set-Cookie: <cookieName>=<value>`, and requests carrying it go to the canary whatever the
// weights; with primaryCookieName the same holds for the primary. Once the canary's weight is back
// at 0 (promoted or rolled back), requests carrying either cookie are answered by the primary with
// the cookie expired, so browsers drop it.
//
// The values are derived from the Canary's uid and the release revision instead of drawn at random
// (as Flagger does, keeping them in status): every pass, a replay after a crash and a second
// replica compute the same route, and a new release gets new values, so a cookie from an earlier
// release never pins a user to a canary that now runs something else.
import { createHash } from 'node:crypto';
import { escapeRegex } from './string-match.ts';

export interface SessionCookie {
  name: string;
  value: string;
}

/** The cookies of one release, carried on the RouteTarget. */
export interface SessionAffinityTarget {
  canary: SessionCookie;
  primary?: SessionCookie;
  maxAgeSeconds: number;
}

export interface SessionAffinityConfig {
  cookieName: string;
  primaryCookieName?: string | undefined;
  maxAgeSeconds: number;
}

function cookieValue(ownerUid: string, release: string, side: 'canary' | 'primary'): string {
  return createHash('sha256').update(`${ownerUid}/${release}/${side}`).digest('hex').slice(0, 24);
}

/** The cookies for `release` of the Canary with uid `ownerUid`. */
export function sessionCookies(
  config: SessionAffinityConfig,
  ownerUid: string,
  release: string,
): SessionAffinityTarget {
  return {
    canary: { name: config.cookieName, value: cookieValue(ownerUid, release, 'canary') },
    ...(config.primaryCookieName
      ? { primary: { name: config.primaryCookieName, value: cookieValue(ownerUid, release, 'primary') } }
      : {}),
    maxAgeSeconds: config.maxAgeSeconds,
  };
}

/** A regular expression matching a whole Cookie header that carries exactly this pair. */
export function cookieHeaderRegex(c: SessionCookie): string {
  return `(.*;\\s*)?${escapeRegex(c.name)}=${escapeRegex(c.value)}(;.*)?`;
}

/** The Set-Cookie value that gives the cookie; Path=/ because the route serves the whole host. */
export function setCookie(c: SessionCookie, maxAgeSeconds: number): string {
  return `${c.name}=${c.value}; Max-Age=${maxAgeSeconds}; Path=/`;
}

/** The Set-Cookie value that makes a browser drop the cookie (RFC 6265: Max-Age <= 0). */
export function expireCookie(c: SessionCookie): string {
  return `${c.name}=${c.value}; Max-Age=0; Path=/`;
}
