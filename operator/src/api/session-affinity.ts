import { z } from 'zod';
import { validated } from './cel.ts';

/** Flagger's default cookie lifetime when `maxAge` is not set: one day. */
export const DEFAULT_SESSION_MAX_AGE_SECONDS = 86_400;

// An RFC 6265 cookie-name token. The name lands in a Set-Cookie header and in the regular
// expression of a Cookie header match, so anything looser could break either.
const cookieName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "a cookie name: letters, digits and !#$%&'*+.^_`|~-");

/**
 * Flagger's `analysis.sessionAffinity`: a user the weighted split sends to the canary gets a cookie
 * that keeps them on the canary until the release ends (and, with primaryCookieName, one that
 * keeps a user sent to the primary there).
 */
export const sessionAffinitySchema = validated(
  z
    .object({
      cookieName: cookieName.describe('Cookie that pins a user to the canary during analysis'),
      maxAge: z
        .int()
        .min(1)
        .max(31_536_000)
        .optional()
        .describe('Lifetime of the cookies in seconds; default 86400 (one day)'),
      primaryCookieName: cookieName
        .optional()
        .describe('Cookie that pins a user the split sent to the primary; none when unset'),
    })
    .describe('Cookie-based stickiness for canary releases (gatewayapi)'),
  [
    {
      rule: '!has(self.primaryCookieName) || self.primaryCookieName != self.cookieName',
      message: 'analysis.sessionAffinity.primaryCookieName must differ from cookieName',
      fieldPath: '.primaryCookieName',
      holds: (self) => self.primaryCookieName !== self.cookieName,
    },
  ],
);
export type SessionAffinity = z.infer<typeof sessionAffinitySchema>;
