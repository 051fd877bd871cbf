import type pg from 'pg';
import { IDEMPOTENCY_TTL_HOURS } from '../http/idempotency.ts';

/** Deletes stored Idempotency-Key responses older than their time to live (they answer no retry any more); returns how many. */
export async function pruneIdempotencyKeys(pool: pg.Pool): Promise<number> {
  const result = await pool.query('DELETE FROM platform.idempotency_keys WHERE created_at < now() - make_interval(hours => $1)', [IDEMPOTENCY_TTL_HOURS]);
  return result.rowCount ?? 0;
}
