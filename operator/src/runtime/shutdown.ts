import type { Logger } from 'pino';

/**
 * On SIGTERM or SIGINT, once: log, run `stop` (finish what is in flight, release the Lease), and
 * exit 0. Shared by the operator and the fleet controller.
 */
export function exitOnSignals(log: Logger, message: string, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, message);
    await stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
