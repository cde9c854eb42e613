import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../env/ports.ts';
import { waitFor } from '../../env/wait.ts';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'operator', 'src');
/** The two entry points: the operator, and the fleet controller of a hub cluster. */
const entries = { operator: join(src, 'main.ts'), fleet: join(src, 'fleet', 'main.ts') };

export interface OperatorProcess {
  metricsUrl: string;
  /** Everything the process logged (JSON lines) and the pipe has delivered so far. */
  logs(): string;
  /**
   * Waits (bounded) until the logs match: a line the process writes right after an effect another
   * client already sees can still be in the pipe, so asserting on logs() at once races it.
   */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait: a graceful stop. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed or released. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
  /** The operator's process id (for /proc readings in benchmarks). */
  pid: number;
  /** Sends a signal to the process (e.g. SIGUSR2 for a heap snapshot under --heapsnapshot-signal). */
  signal(sig: NodeJS.Signals): void;
}

/**
 * Runs the real operator (operator/src/main.ts) as a child process against the test cluster,
 * watching only `namespace` so test files running in parallel do not see each other's canaries.
 */
export async function startOperator(opts: {
  kubeconfig: string;
  namespace: string;
  env?: Record<string, string>;
  entry?: keyof typeof entries;
  /** The log file is fledge-<entry>-<logName>.log in the temp dir (default: the namespace). */
  logName?: string;
}): Promise<OperatorProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [entries[opts.entry ?? 'operator']], {
    env: {
      ...process.env,
      KUBECONFIG: opts.kubeconfig,
      FLEDGE_WATCH_NAMESPACE: opts.namespace,
      FLEDGE_LEASE_NAMESPACE: opts.namespace,
      FLEDGE_METRICS_ADDRESS: `127.0.0.1:${port}`,
      FLEDGE_LEADER_ELECT: 'false',
      FLEDGE_LOG_LEVEL: 'debug',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Kept on disk too, so a failed run can be read after the fact.
  const logFile = join(tmpdir(), `fledge-${opts.entry ?? 'operator'}-${opts.logName ?? opts.namespace}.log`);
  const collect = (d: Buffer) => {
    output += d.toString();
    appendFileSync(logFile, d);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const metricsUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    'the operator to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`operator exited with ${child.exitCode}: ${output}`);
      return (await fetch(`${metricsUrl}/readyz`).catch(() => undefined))?.ok;
    },
    { timeoutMs: 30_000 },
  );
  return {
    metricsUrl,
    logs: () => output,
    waitForLog: async (pattern, timeoutMs = 10_000) => {
      await waitFor(`the operator to log ${pattern}`, () => pattern.test(output), { timeoutMs });
    },
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    pid: child.pid ?? -1,
    signal: (sig) => void child.kill(sig),
  };
}
