import { describe, expect, it } from 'vitest';
import { credentialsFromSecret } from '../../../analysis/src/credentials.ts';
import { ConfigError } from '../../../analysis/src/errors.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('credentialsFromSecret', () => {
  it.each([
    ['a token', { token: b64('ey.abc.def') }, { bearerToken: 'ey.abc.def' }],
    [
      'username and password',
      { username: b64('flagger'), password: b64('s3cr3t!') },
      { basicAuth: { username: 'flagger', password: 's3cr3t!' } },
    ],
    [
      'the token over basic auth when both are present (as Flagger)',
      { token: b64('tok'), username: b64('u'), password: b64('p') },
      { bearerToken: 'tok' },
    ],
    [
      'unrelated keys next to the credentials',
      { username: b64('u1'), password: b64('p'), address: b64('http://x') },
      { basicAuth: { username: 'u1', password: 'p' } },
    ],
    [
      'UTF-8 values',
      { username: b64('usér'), password: b64('pässwörd') },
      { basicAuth: { username: 'usér', password: 'pässwörd' } },
    ],
  ])('reads %s', (_case, data, expected) => {
    expect(credentialsFromSecret(data)).toEqual(expected);
  });

  it.each([
    [
      'an empty secret',
      {},
      'has no username or password: it needs "token", or "username" and "password" (keys found: none)',
    ],
    ['a username alone', { username: b64('u') }, 'has no password'],
    ['a password alone', { password: b64('p') }, 'has no username'],
    [
      'a misspelt key',
      { user: b64('u'), password: b64('p') },
      'has no username: it needs "token", or "username" and "password" (keys found: password, user)',
    ],
    ['a value that is not base64', { token: 'not base64!' }, 'secret key "token" is not valid base64'],
    ['badly padded base64', { token: 'abc' }, 'secret key "token" is not valid base64'],
    ['an empty token', { token: '' }, 'secret key "token" is empty'],
    ['an empty password', { username: b64('u'), password: '' }, 'secret key "password" is empty'],
    ['a trailing newline', { token: b64('tok\n') }, 'secret key "token" contains a control character'],
    ['a colon in the username', { username: b64('a:b'), password: b64('p') }, 'contains ":"'],
  ])('refuses %s with a ConfigError', (_case, data, message) => {
    expect(() => credentialsFromSecret(data)).toThrow(ConfigError);
    expect(() => credentialsFromSecret(data)).toThrow(message);
  });

  it('never puts a secret value into its errors', () => {
    const secret = 'hunter2-very-secret';
    for (const data of [
      { token: b64(`${secret}\n`) },
      { username: b64(`${secret}:x`), password: b64(secret) },
      { username: b64(secret) },
    ] as Array<Record<string, string>>) {
      let message = '';
      try {
        credentialsFromSecret(data);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(secret);
      expect(message).not.toContain(b64(secret).slice(0, 12));
    }
  });
});
