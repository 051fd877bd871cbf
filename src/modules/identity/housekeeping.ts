import type pg from 'pg';

/** Deletes expired rate-limit counters and refresh tokens past their expiry (a day's grace); returns the counts. */
export async function pruneIdentity(pool: pg.Pool): Promise<{ rateLimits: number; refreshTokens: number }> {
  // rate_limits.expire is epoch milliseconds (rate-limiter-flexible's layout).
  const rateLimits = await pool.query('DELETE FROM identity.rate_limits WHERE expire < (extract(epoch FROM now()) * 1000)::bigint');
  const refreshTokens = await pool.query("DELETE FROM identity.refresh_tokens WHERE expires_at < now() - interval '1 day'");
  return { rateLimits: rateLimits.rowCount ?? 0, refreshTokens: refreshTokens.rowCount ?? 0 };
}
