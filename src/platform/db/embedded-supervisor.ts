import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';

/** Where a supervised server stands: serving, being restarted, or given up on. */
export type ServerState = 'running' | 'restarting' | 'failed';

/** The server being watched: its current process and a way to start it again. */
export interface RestartableServer {
  process(): ChildProcess | undefined;
  start(): Promise<void>;
}

/** What the supervisor reports; stopping() must be called before a deliberate stop. */
export interface Supervision {
  state(): ServerState;
  /** Resolves when every restart attempt has failed; never otherwise. */
  failed: Promise<Error>;
  stopping(): void;
}

/**
 * Watches a server process; when it exits without being asked to, starts it again,
 * up to `attempts` times in a row with a doubling delay, then reports failure.
 */
export function supervise(server: RestartableServer, log: Logger, opts: { attempts: number; firstDelayMs: number }): Supervision {
  let state: ServerState = 'running';
  let stopping = false;
  let reportFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));

  const restart = async (code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping) return;
    state = 'restarting';
    log.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly; restarting it');
    for (let attempt = 1; attempt <= opts.attempts && !stopping; attempt++) {
      await sleep(opts.firstDelayMs * 2 ** (attempt - 1));
      if (stopping) return;
      try {
        await server.start();
        state = 'running';
        log.warn({ attempt }, 'embedded PostgreSQL restarted');
        watch();
        return;
      } catch (error) {
        log.error({ attempt, err: error instanceof Error ? error.message : String(error ?? 'it exited during start') }, 'embedded PostgreSQL did not restart');
      }
    }
    if (stopping) return;
    state = 'failed';
    reportFailure(new Error(`embedded PostgreSQL stopped and could not be restarted after ${opts.attempts} attempts`));
  };

  const watch = () => server.process()?.once('exit', (code, signal) => void restart(code, signal));
  watch();
  return {
    state: () => state,
    failed,
    stopping: () => {
      stopping = true;
    },
  };
}
