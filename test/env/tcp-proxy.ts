import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that fault tests put between a client and the API server. TLS passes
 * through untouched (the API server's certificate names 127.0.0.1), so the client cannot tell.
 * - `forward`: bytes flow both ways;
 * - `hang`: connections stay open but no byte goes through either way, and new ones are accepted
 *   and never answered: a black-holed network, the fault no error handler sees. Bytes are held,
 *   not dropped (TCP would retransmit them), and flow again on `forward`;
 * - `refuse`: every connection is cut and new ones are closed at once.
 */
export type ProxyMode = 'forward' | 'hang' | 'refuse';

export interface TcpProxy {
  port: number;
  mode(): ProxyMode;
  setMode(mode: ProxyMode): void;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  if (target.host !== '127.0.0.1' && target.host !== 'localhost') {
    throw new Error(`tcp proxy: target ${target.host} is not on the loopback interface`);
  }
  let mode: ProxyMode = 'forward';
  let accepted = 0;
  const pairs = new Set<[Socket, Socket]>();
  const cutAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
  };
  const server = createServer((client) => {
    accepted += 1;
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    if (mode === 'hang') {
      client.pause();
      upstream.pause();
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    mode: () => mode,
    setMode: (m) => {
      const was = mode;
      mode = m;
      if (m === 'refuse') cutAll();
      if (was === m) return;
      for (const [a, b] of pairs) {
        // pipe() resumes a paused source on drain; unpipe while hanging, pipe again to forward.
        if (m === 'hang') {
          a.unpipe(b);
          b.unpipe(a);
          a.pause();
          b.pause();
        } else if (m === 'forward' && was === 'hang') {
          a.pipe(b);
          b.pipe(a);
        }
      }
    },
    accepted: () => accepted,
    close: async () => {
      cutAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A copy of a kubeconfig file's text with its server pointed at the proxy (same host, other port). */
export function viaProxy(kubeconfigYaml: string, proxyPort: number): string {
  return kubeconfigYaml.replace(
    /server: https:\/\/127\.0\.0\.1:\d+/,
    `server: https://127.0.0.1:${proxyPort}`,
  );
}
