// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// Every listener of the data plane binds to 127.0.0.1 on a free port, and every upstream it talks to
// must be on 127.0.0.1 too: nothing here may send traffic to the fake pod IPs kwok assigns.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const loopback = '127.0.0.1';

/** Listens on 127.0.0.1 on a port the kernel picks; resolves with the port. */
export function listenLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, loopback, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, drops idle and busy connections, and resolves once the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Refuses any URL that is not http://127.0.0.1:<port>. */
export function loopbackUrl(raw: string): URL {
  const url = new URL(raw);
  if (url.protocol !== 'http:' || url.hostname !== loopback || url.port === '') {
    throw new Error(`${raw}: the loopback data plane only talks to http://127.0.0.1:<port>`);
  }
  return url;
}
