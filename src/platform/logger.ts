import pino from 'pino';
import sonicBoom, { type SonicBoom } from 'sonic-boom';

// The package is CommonJS: at run time its default export is the class its types name SonicBoom.
const SonicBoomStream = sonicBoom as unknown as typeof SonicBoom;

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

let stdout: SonicBoom | undefined;

/**
 * Log lines go to fd 1 asynchronously. Pino's own stdout stream is flushed synchronously
 * at exit, and that flush retries a write failing with EPIPE every 100 ms for ever, so a
 * process whose stdout reader is gone (a restarted log shipper, an interrupted `| tee`,
 * a dead parent) never exits. This one stops writing on any error and is flushed by
 * flushLogs(), with a deadline, before the process exits.
 */
function processStdout(): SonicBoom {
  if (!stdout) {
    const stream = new SonicBoomStream({ fd: 1, sync: false });
    stream.on('error', () => {
      stream.write = () => true; // the reader is gone: later lines are dropped, not retried
    });
    stdout = stream;
  }
  return stdout;
}

/** Writes out the log lines still buffered, waiting at most timeoutMs (stdout may be stuck or gone). */
export async function flushLogs(timeoutMs: number): Promise<void> {
  const stream = stdout;
  if (!stream) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once('close', done);
    stream.once('error', done);
    stream.end();
  });
}

/** Creates the process logger; secrets in well-known fields and URLs are redacted. */
export function createLogger(level: pino.LevelWithSilent, bindings: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
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
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.refreshToken', 'databaseUrl', 'redisUrl'],
        censor: '[redacted]',
      },
    },
    destination ?? processStdout(),
  );
}
