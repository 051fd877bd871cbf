import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import type { Logger } from './logger.ts';

/** This process's row in platform.processes, kept fresh until stop(). */
export interface ProcessRegistration {
  id: string;
  stop(): Promise<void>;
}

/** Records this process (role, modules, queues) and refreshes last_seen_at every 15 s. */
export async function registerProcess(pool: pg.Pool, info: { role: string; modules: string[]; queues: string[] }, log: Logger): Promise<ProcessRegistration> {
  const id = randomUUID();
  await pool.query('INSERT INTO platform.processes (id, role, modules, queues, host, pid) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    info.role,
    info.modules,
    info.queues,
    os.hostname(),
    process.pid,
  ]);
  const timer = setInterval(() => {
    pool
      .query('UPDATE platform.processes SET last_seen_at = now() WHERE id = $1', [id])
      .catch((error: Error) => log.warn({ err: error.message }, 'process heartbeat failed'));
  }, 15_000);
  timer.unref();
  return {
    id,
    async stop() {
      clearInterval(timer);
      await pool.query('UPDATE platform.processes SET stopped_at = now() WHERE id = $1', [id]);
    },
  };
}

/** Whether a process with this pid on this host has registered and not stopped (a supervisor's readiness check for workers). */
export async function isProcessRegistered(pool: pg.Pool, pid: number, host = os.hostname()): Promise<boolean> {
  const row = await pool.query('SELECT 1 FROM platform.processes WHERE pid = $1 AND host = $2 AND stopped_at IS NULL', [pid, host]);
  return (row.rowCount ?? 0) > 0;
}
