import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface Started {
  name: string;
  pid: number;
  log: string;
}

/**
 * Starts a long-running server process with its output in `log`. Detached into its own process
 * group so that `cluster:up` can exit and leave it running, and so a stop reaches its children.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  log: string,
  cwd: string,
): Started {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd], detached: true });
    child.unref();
    if (child.pid === undefined) throw new Error(`${name}: failed to start ${command}`);
    return { name, pid: child.pid, log };
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM, wait up to `graceMs` for the exit, then SIGKILL the process group: a stop never leaves a process behind. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  if (!isAlive(pid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  signal('SIGKILL');
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}
