import pino from 'pino';

/** The structured JSON logger type used everywhere. */
export type Logger = pino.Logger;

/** Creates the process logger; secrets in well-known fields are redacted. */
export function createLogger(level: pino.LevelWithSilent, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { pid: process.pid, ...bindings },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        '*.refreshToken',
        'databaseUrl',
        'redisUrl',
      ],
      censor: '[redacted]',
    },
  });
}
