import { pino, type Logger } from 'pino';

/** JSON logs for machines; `pretty` (pino-pretty) for a human at a terminal. */
export function createLogger(level: string, format: 'json' | 'pretty'): Logger {
  return pino({
    level,
    base: { component: 'fledge' },
    // Credentials must never reach a log line, whatever object is logged.
    redact: {
      paths: ['*.password', '*.token', '*.authorization', '*.headers.Authorization'],
      censor: '[redacted]',
    },
    ...(format === 'pretty'
      ? {
          transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,component' } },
        }
      : {}),
  });
}
