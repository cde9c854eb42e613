import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { credentialsFromSecret } from '../../../analysis/src/credentials.ts';
import { ProviderError } from '../../../analysis/src/errors.ts';
import { createPrometheusProvider } from '../../../analysis/src/prometheus.ts';
import { createPki } from '../../env/certs.ts';
import { freePort } from '../../env/ports.ts';
import { answerVector, startFakeApi, type Listening } from './servers.ts';

// What the provider sends and how it fails, seen from a loopback server that answers like the
// Prometheus API (or like a proxy in front of it).
const username = 'fledge-reader';
const password = 'pa55-w0rd-do-not-log';
const token = 'eyJhbGciOi.token-do-not-log';
const basicHeader = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every way an error could reach a log or a status: message, stack, causes, JSON. */
function everythingIn(err: unknown): string {
  return [String(err), inspect(err, { depth: null, showHidden: true }), JSON.stringify(err)].join('\n');
}

function expectNoCredentials(err: unknown) {
  const text = everythingIn(err);
  for (const secret of [password, token, basicHeader.slice('Basic '.length), b64(token)]) {
    expect(text).not.toContain(secret);
  }
}

describe('Prometheus provider over HTTP', () => {
  const servers: Listening[] = [];
  const serve = async (...args: Parameters<typeof startFakeApi>) => {
    const server = await startFakeApi(...args);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('sends basic auth, the query, the instant and a server-side timeout', async () => {
    const api = await serve(answerVector('99.5'));
    const provider = createPrometheusProvider({
      address: api.url,
      basicAuth: { username, password },
      timeoutMs: 4_000,
    });
    const at = new Date('2026-03-01T12:00:00.250Z');
    expect(await provider.query('sum(up)', at)).toBe(99.5);
    const [request] = api.requests;
    expect(request?.headers.authorization).toBe(basicHeader);
    expect(request?.url.pathname).toBe('/api/v1/query');
    expect(request?.url.searchParams.get('query')).toBe('sum(up)');
    expect(Number(request?.url.searchParams.get('time'))).toBe(at.getTime() / 1000);
    expect(request?.url.searchParams.get('timeout')).toBe('4000ms');
  });

  it('sends the credentials of a Secret: token as a bearer, headers from the template', async () => {
    const api = await serve(answerVector('1'));
    const credentials = credentialsFromSecret({ token: b64(token) });
    const provider = createPrometheusProvider({
      address: `${api.url}/prometheus/`,
      headers: { 'X-Scope-OrgID': 'tenant-a', authorization: 'Bearer overridden' },
      ...credentials,
      timeoutMs: 4_000,
    });
    await provider.query('vector(1)', new Date());
    const [request] = api.requests;
    expect(request?.url.pathname).toBe('/prometheus/api/v1/query');
    expect(request?.headers.authorization).toBe(`Bearer ${token}`);
    expect(request?.headers['x-scope-orgid']).toBe('tenant-a');
  });

  it('sends basic auth read from a Secret', async () => {
    const api = await serve(answerVector('1'));
    const credentials = credentialsFromSecret({ username: b64(username), password: b64(password) });
    await createPrometheusProvider({ address: api.url, ...credentials, timeoutMs: 4_000 }).query(
      'vector(1)',
      new Date(),
    );
    expect(api.requests[0]?.headers.authorization).toBe(basicHeader);
  });

  it('sends no Authorization header without credentials', async () => {
    const api = await serve(answerVector('1'));
    await createPrometheusProvider({ address: api.url, timeoutMs: 4_000 }).query('vector(1)', new Date());
    expect(api.requests[0]?.headers.authorization).toBeUndefined();
  });

  it.each([
    [
      'a proxy refusing with a text page that echoes the request',
      401,
      'text/plain',
      () => `denied: authorization=${basicHeader} token=${token}`,
      /: HTTP 401: Unauthorized$/,
    ],
    [
      'an API error that echoes the header',
      503,
      'application/json',
      () =>
        JSON.stringify({
          status: 'error',
          errorType: 'unavailable',
          error: `upstream refused ${basicHeader} ${password}`,
        }),
      /: HTTP 503: upstream refused Basic \[redacted\] \[redacted\]$/,
    ],
    ['an HTML gateway error', 502, 'text/html', () => '<html>Bad Gateway</html>', /: HTTP 502: Bad Gateway$/],
  ])(
    'answers ProviderError with the HTTP status for %s, without credentials',
    async (_case, status, type, body, message) => {
      const api = await serve((_req, res) => {
        res.statusCode = status;
        res.setHeader('content-type', type);
        res.end(body());
      });
      const provider = createPrometheusProvider({
        address: api.url,
        basicAuth: { username, password },
        timeoutMs: 4_000,
      });
      const err = await provider.query('vector(1)', new Date()).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'http', httpStatus: status });
      expect(err.message).toMatch(message);
      expectNoCredentials(err);
    },
  );

  it('answers ProviderError for a 200 that is not the Prometheus API', async () => {
    const api = await serve((_req, res) => res.end('<html>login</html>'));
    const err = await createPrometheusProvider({ address: api.url, timeoutMs: 4_000 })
      .query('vector(1)', new Date())
      .catch((e) => e);
    expect(err).toMatchObject({
      kind: 'response',
      message: `prometheus ${api.url}: the answer is not a Prometheus API response`,
    });
  });

  it('answers a timeout ProviderError when the API does not answer in time', async () => {
    const api = await serve(() => {}); // holds every request open
    const provider = createPrometheusProvider({ address: api.url, bearerToken: token, timeoutMs: 300 });
    const err = await provider.query('vector(1)', new Date()).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'timeout', message: `prometheus ${api.url}: no answer within 300 ms` });
    expectNoCredentials(err);
  });

  it('answers a network ProviderError when nothing listens, without credentials', async () => {
    const port = await freePort();
    const provider = createPrometheusProvider({
      address: `http://127.0.0.1:${port}`,
      basicAuth: { username, password },
      timeoutMs: 4_000,
    });
    const err = await provider.query('vector(1)', new Date()).catch((e) => e);
    expect(err).toMatchObject({ kind: 'network' });
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.cause).toBeInstanceOf(Error);
    expectNoCredentials(err);
  });

  describe('over TLS with a certificate from an unknown CA', () => {
    let dir: string;
    const tls = async () => {
      dir = await mkdtemp(join(tmpdir(), 'fledge-analysis-tls-'));
      const pki = await createPki(dir);
      return { cert: await readFile(pki.serverCert, 'utf8'), key: await readFile(pki.serverKey, 'utf8') };
    };
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('refuses the certificate, unless insecureSkipVerify is set', async () => {
      const api = await serve(answerVector('7'), await tls());
      const strict = createPrometheusProvider({ address: api.url, bearerToken: token, timeoutMs: 4_000 });
      const err = await strict.query('vector(1)', new Date()).catch((e) => e);
      expect(err).toMatchObject({ kind: 'network' });
      expect(err.message).toMatch(/certificate/i);
      expectNoCredentials(err);

      const insecure = createPrometheusProvider({
        address: api.url,
        insecureSkipVerify: true,
        timeoutMs: 4_000,
      });
      expect(await insecure.query('vector(1)', new Date())).toBe(7);
    });
  });
});
