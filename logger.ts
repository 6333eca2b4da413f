import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One pino logger; modules take child loggers. Personal data (names, phones, message texts)
 * is never logged: callers log ids only, and these paths are redacted as a second guard.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: ['*.text', '*.phone', '*.full_name', '*.fullName', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination,
  );
}
