import { describe, expect, it } from 'vitest';
import { clusterAccess } from '../../../operator/src/fleet/cluster-secret.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>) => ({ metadata: { name: 'eu-1' }, data });

describe('member cluster Secrets', () => {
  it('reads a kubeconfig under kubeconfig, or Flux’s value', () => {
    expect(clusterAccess(secret({ kubeconfig: b64('apiVersion: v1') }))).toEqual({
      kubeconfig: 'apiVersion: v1',
    });
    expect(clusterAccess(secret({ value: b64('x') }))).toEqual({ kubeconfig: 'x' });
  });

  it('reads Argo CD’s cluster Secret: server, and a config with a token and TLS data', () => {
    const config = {
      bearerToken: 't0k',
      tlsClientConfig: { caData: 'Q0E=', serverName: 'api.eu-1', insecure: false },
    };
    expect(
      clusterAccess(secret({ server: b64('https://eu-1:6443'), config: b64(JSON.stringify(config)) })),
    ).toEqual({
      options: {
        server: 'https://eu-1:6443',
        caData: 'Q0E=',
        tlsServerName: 'api.eu-1',
        user: { token: 't0k' },
      },
    });
  });

  it('refuses kubeconfigs that would read a file or run a program on the hub', () => {
    const kubeconfig = [
      'clusters: [{name: m, cluster: {server: "https://m", certificate-authority: /etc/ca.crt}}]',
      'users: [{name: m, user: {token-file: /var/run/secrets/kubernetes.io/serviceaccount/token}}]',
      'contexts: [{name: m, context: {cluster: m, user: m}}]',
      'current-context: m',
    ].join('\n');
    expect(clusterAccess(secret({ kubeconfig: b64(kubeconfig) }))).toEqual({
      error:
        'Secret eu-1: token-file, certificate-authority not supported in a cluster Secret (they would run a program or read a file on the hub): embed the credentials (token, *-data)',
    });
    const exec = 'users: [{name: m, user: {exec: {command: aws}}}]';
    expect(clusterAccess(secret({ kubeconfig: b64(exec) }))).toMatchObject({
      error: expect.stringMatching(/^Secret eu-1: exec not supported/),
    });
  });

  it('names what it cannot use', () => {
    expect(clusterAccess(secret({ token: b64('x') }))).toEqual({
      error: "Secret eu-1 has no kubeconfig key (nor Argo CD's server and config)",
    });
    expect(clusterAccess(secret({ server: b64('https://x'), config: b64('{') }))).toEqual({
      error: 'Secret eu-1: config is not JSON',
    });
    const aws = { awsAuthConfig: { clusterName: 'eu-1' } };
    expect(clusterAccess(secret({ server: b64('https://x'), config: b64(JSON.stringify(aws)) }))).toEqual({
      error: 'Secret eu-1: awsAuthConfig and execProviderConfig are not supported; use a bearer token',
    });
  });
});
