import type { Logger } from './logger.ts';

/**
 * The last line of defence of a long-running process: an error that escaped
 * every handler (an 'error' event nobody listened to, a rejected promise nobody
 * awaited) is logged and the process keeps serving, instead of taking the API,
 * the workers and the embedded PostgreSQL down with it. Jobs still end through
 * their own error handling; this only stops one stray error from ending the rest.
 */
export function installSafetyNet(log: Logger): void {
  process.on('uncaughtException', (error, origin) => {
    log.error(
      { err: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined, origin },
      'uncaught exception (kept serving)',
    );
  });
  process.on('unhandledRejection', (reason) => {
    log.error(
      { err: reason instanceof Error ? reason.message : String(reason), stack: reason instanceof Error ? reason.stack : undefined },
      'unhandled promise rejection (kept serving)',
    );
  });
}
