import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startCluster } from '../../env/cluster.ts';
import { freePorts } from '../../env/ports.ts';
import { isAlive } from '../../env/proc.ts';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

// A second, private cluster: start it, use it through the pinned kubectl, stop it, and check that
// nothing is left behind.
describe('startCluster / stop', () => {
  it('starts on free ports, serves kubectl, and stops leaving no process, port or directory', async () => {
    const cluster = await startCluster({ nodes: 2 });
    const port = Number(new URL(cluster.server).port);
    try {
      const { stdout } = await promisify(execFile)(cluster.kubectl, [
        `--kubeconfig=${cluster.kubeconfig}`,
        'get',
        'nodes',
        '--no-headers',
      ]);
      const rows = stdout.trim().split('\n');
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => /\bReady\b/.test(r))).toBe(true);
      const { stdout: version } = await promisify(execFile)(cluster.kubectl, [
        `--kubeconfig=${cluster.kubeconfig}`,
        'version',
        '-o',
        'json',
      ]);
      expect(
        (JSON.parse(version) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion,
      ).toMatch(/^v1\.(3[3-9]|[4-9]\d)\./);
      expect(await portOpen(port)).toBe(true);
    } finally {
      await cluster.stop();
    }
    expect(cluster.processes.filter((p) => isAlive(p.pid)).map((p) => p.name)).toEqual([]);
    expect(await portOpen(port)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
  });

  it('starts again on fresh ports when a port it picked is taken before the process binds it', async () => {
    // The controller-manager's port (the fourth) is held by another listener on the first attempt,
    // as a process started in parallel can do between the pick and the bind.
    const squatter: Server = createServer();
    const attempts: number[][] = [];
    const ports = async (count: number) => {
      const picked = await freePorts(count);
      if (attempts.length === 0) {
        await new Promise<void>((resolve) => squatter.listen(picked[3], '127.0.0.1', resolve));
      }
      attempts.push(picked);
      return picked;
    };
    try {
      const cluster = await startCluster({ nodes: 1, ports });
      await cluster.stop();
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect(attempts).toHaveLength(2);
  });
});
