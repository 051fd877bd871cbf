import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Logger } from '../logger.ts';

// BIGINT (int8) and NUMERIC come back as strings by default; counts and ids here fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** Opens a pg pool whose idle-client errors are logged instead of crashing the process. */
export function createPool(url: string, max: number, log: Logger, options: Partial<pg.PoolConfig> = {}): pg.Pool {
  // A bounded wait for a connection: an exhausted pool fails a request instead of hanging the process.
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000, ...options });
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle database connection error'));
  return pool;
}

/** A Kysely instance for one module's tables over the shared pool (never call destroy on it). */
export function createKysely<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
