import pino from 'pino';

/** The structured JSON logger type used everywhere. */
export type Logger = pino.Logger;

const SECRET_PARAMS = /([?&](?:access_token|token|sig|signature|refreshToken)=)[^&#]*/gi;

/** A URL with the values of token-like query parameters replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Creates the process logger; secrets in well-known fields and URLs are redacted. */
export function createLogger(level: pino.LevelWithSilent, bindings: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { pid: process.pid, ...bindings },
    serializers: {
      // Replaces Fastify's request serializer: the same fields, without tokens in the query string.
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: req.url === undefined ? undefined : redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
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
  }, destination);
}
