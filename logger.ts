import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One pino logger; modules take child loggers. Personal data (names, phones, message texts)
 * is never logged: callers log ids only, and these paths are redacted as a second guard.
 *
 * Standard output is written synchronously (the app logs per event, not per update). pino's
 * default asynchronous destination keeps lines in a buffer that its exit handler flushes with
 * sonic-boom's flushSync, which retries a failed write every 100 ms for ever: once nobody read the
 * output any more (a supervisor or pipe that went away, EPIPE) `process.exit` never returned and
 * the stopped process kept its port. Written at once, a broken pipe is found by the write itself
 * and pino stops writing (its EPIPE filter), so exit has nothing to flush.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: ['*.text', '*.phone', '*.full_name', '*.fullName', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
