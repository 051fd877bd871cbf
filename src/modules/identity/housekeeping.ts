import { sql } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../../platform/db/pool.ts';
import type { IdentityDb } from './db.ts';

/** Deletes expired rate-limit counters and refresh tokens past their expiry (a day's grace); returns the counts. */
export async function pruneIdentity(pool: pg.Pool): Promise<{ rateLimits: number; refreshTokens: number }> {
  // rate_limits is rate-limiter-flexible's table, not in IdentityDb; expire is epoch milliseconds.
  const rateLimits = await pool.query('DELETE FROM identity.rate_limits WHERE expire < (extract(epoch FROM now()) * 1000)::bigint');
  const refreshTokens = await createKysely<IdentityDb>(pool)
    .deleteFrom('identity.refresh_tokens')
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return { rateLimits: rateLimits.rowCount ?? 0, refreshTokens: Number(refreshTokens.numDeletedRows) };
}
