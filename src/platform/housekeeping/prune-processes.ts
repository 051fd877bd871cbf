import type pg from 'pg';

/** Process records are kept this long after a process stopped or was last seen. */
export const PROCESS_RETENTION_HOURS = 24;

/** Deletes process records stopped, or silent, for longer than the retention; returns how many. */
export async function pruneProcesses(pool: pg.Pool): Promise<number> {
  const result = await pool.query(`DELETE FROM platform.processes WHERE coalesce(stopped_at, last_seen_at) < now() - make_interval(hours => $1)`, [
    PROCESS_RETENTION_HOURS,
  ]);
  return result.rowCount ?? 0;
}
