// What every fledge CLI command shares: the kubeconfig and namespace as kubectl finds them,
// colour, argument parsers, and one way to end (an exit code, never a stack trace).
import { KubeConfig } from '@kubernetes/client-node';
import { InvalidArgumentError } from 'commander';
import { InputError } from './control.ts';

/** Exit codes of every command: 0 ok, 1 the release failed, 2 usage or input error, 3 timeout. */
export const exitCodes = { succeeded: 0, failed: 1, usage: 2, timeout: 3, aborted: 130 } as const;

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

/** -n, else the namespace of the kubeconfig's current context, else `default`. */
export function namespaceOf(kc: KubeConfig, flag: string | undefined): string {
  return flag ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

export const useColor = () => process.stdout.isTTY === true && !('NO_COLOR' in process.env);

export function seconds(v: string): number {
  const n = Number(v);
  // Node timers hold at most 2^31-1 ms (24.8 days); a longer one would fire at once.
  if (!Number.isFinite(n) || n <= 0 || n > 2_000_000)
    throw new InvalidArgumentError('must be a positive number of seconds, at most 2000000');
  return n;
}

export function errorMessage(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 404) return 'not found';
  if (err instanceof InputError) return err.message;
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return String((JSON.parse(body) as { message?: unknown }).message ?? body);
    } catch {
      return body;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a command's body and exits with the code it returns. An error it did not handle is one line
 * on standard error and exit 2, never a stack trace; exiting also keeps idle keep-alive sockets of
 * the Kubernetes client from holding the process.
 */
export async function exitWith(label: string, body: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (err) {
    console.error(`${label}: ${errorMessage(err)}`);
    code = exitCodes.usage;
  }
  process.exit(code);
}

/** The exit code of a watch that ended: at its phase (`failed` says whether that is a failure), on its timeout, or by Ctrl-C. */
export function watchExitCode(end: 'phase' | 'timeout' | 'aborted', failed: boolean): number {
  if (end === 'timeout') return exitCodes.timeout;
  if (end === 'aborted') return exitCodes.aborted;
  return failed ? exitCodes.failed : exitCodes.succeeded;
}
