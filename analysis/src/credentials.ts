import { ConfigError } from './errors.ts';

/** How fledge authenticates to a metrics API: a bearer token, or basic auth, or nothing. */
export type Credentials =
  | { bearerToken: string; basicAuth?: undefined }
  | { basicAuth: { username: string; password: string }; bearerToken?: undefined };

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;
// A control character in a header value is refused by Node when the request is sent, with an
// error far from its cause; the commonest source is `echo secret | base64` adding a newline.
// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u001f\u007f]/;

/**
 * Reads the credentials of a MetricTemplate's secretRef, with Flagger's keys: `token` (a bearer
 * token, preferred when present) or `username` and `password` (basic auth). `data` is the Secret's
 * `data`, base64 encoded as the API returns it. Errors name the Secret's keys, never their values.
 */
export function credentialsFromSecret(data: Readonly<Record<string, string>>): Credentials {
  if (has(data, 'token')) return { bearerToken: decode(data, 'token') };
  const missing = ['username', 'password'].filter((k) => !has(data, k));
  if (missing.length > 0) {
    const keys = Object.keys(data).sort();
    throw new ConfigError(
      `the provider's secret has no ${missing.join(' or ')}: it needs "token", or "username" and ` +
        `"password" (keys found: ${keys.length > 0 ? keys.join(', ') : 'none'})`,
    );
  }
  return { basicAuth: { username: decode(data, 'username'), password: decode(data, 'password') } };
}

function has(data: Readonly<Record<string, string>>, key: string): boolean {
  return Object.hasOwn(data, key);
}

function decode(data: Readonly<Record<string, string>>, key: string): string {
  const encoded = data[key] ?? '';
  if (encoded.length % 4 !== 0 || !base64.test(encoded)) {
    throw new ConfigError(`the provider's secret key "${key}" is not valid base64`);
  }
  const value = Buffer.from(encoded, 'base64').toString('utf8');
  if (value === '') throw new ConfigError(`the provider's secret key "${key}" is empty`);
  if (control.test(value)) {
    throw new ConfigError(
      `the provider's secret key "${key}" contains a control character such as a newline ` +
        '(create it with `echo -n` or `kubectl create secret --from-literal`)',
    );
  }
  if (key === 'username' && value.includes(':')) {
    throw new ConfigError(`the provider's secret key "username" contains ":", which basic auth cannot carry`);
  }
  return value;
}
