import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAndLogIn } from '../src/modules/identity/test-helpers.ts';
import { startTestApp, type TestApp } from './app.ts';
import { waitUntil } from './wait.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ queues: ['platform.housekeeping', 'identity.housekeeping'], env: { AULA_HOUSEKEEPING_INTERVAL_SECONDS: '1' } });
});
afterAll(async () => app.stop());

describe('housekeeping (BullMQ repeatable jobs)', () => {
  it('prunes old process records, expired Idempotency-Key responses, expired rate-limit counters and long-expired refresh tokens; keeps the rest', async () => {
    const pool = app.runtime.pool;
    const user = await signUpAndLogIn(app.baseUrl, 'housekeeping');
    const [oldStopped, oldSilent, recentStopped] = [randomUUID(), randomUUID(), randomUUID()];
    const process = (id: string, lastSeen: string, stopped: string | null) =>
      pool.query(
        `INSERT INTO platform.processes (id, role, modules, queues, host, pid, started_at, last_seen_at, stopped_at)
        VALUES ($1, 'start', '{}', '{}', 'h', 1, now() - interval '10 days', now() - $2::interval, now() - $3::interval)`,
        [id, lastSeen, stopped],
      );
    await process(oldStopped, '3 days', '3 days');
    await process(oldSilent, '2 days', null);
    await process(recentStopped, '1 hour', '1 hour');
    const now = Date.now();
    await pool.query("INSERT INTO identity.rate_limits (key, points, expire) VALUES ('test-expired', 1, $1), ('test-live', 1, $2)", [
      now - 60_000,
      now + 3_600_000,
    ]);
    await pool.query(
      `INSERT INTO identity.refresh_tokens (user_id, family_id, token_hash, expires_at)
      VALUES ($1, gen_random_uuid(), 'old'::bytea, now() - interval '2 days'), ($1, gen_random_uuid(), 'new'::bytea, now() + interval '1 day')`,
      [user.id],
    );

    await pool.query(`INSERT INTO platform.idempotency_keys (caller, route, key, fingerprint, status, body, created_at)
      VALUES ('c', 'POST /x', 'expired', 'f', 201, '{}', now() - interval '25 hours'), ('c', 'POST /x', 'live', 'f', 201, '{}', now() - interval '1 hour')`);

    const count = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rowCount ?? 0;
    await waitUntil(
      async () =>
        (await count('SELECT 1 FROM platform.processes WHERE id = ANY($1::uuid[])', [[oldStopped, oldSilent]])) === 0 &&
        (await count("SELECT 1 FROM identity.rate_limits WHERE key = 'test-expired'")) === 0 &&
        (await count("SELECT 1 FROM platform.idempotency_keys WHERE key = 'expired'")) === 0 &&
        (await count("SELECT 1 FROM identity.refresh_tokens WHERE token_hash = 'old'::bytea")) === 0,
      20_000,
    );
    expect(await count('SELECT 1 FROM platform.processes WHERE id = $1', [recentStopped])).toBe(1);
    expect(await count("SELECT 1 FROM platform.processes WHERE stopped_at IS NULL AND last_seen_at > now() - interval '1 minute'")).toBeGreaterThan(0); // this process
    expect(await count("SELECT 1 FROM identity.rate_limits WHERE key = 'test-live'")).toBe(1);
    expect(await count("SELECT 1 FROM platform.idempotency_keys WHERE key = 'live'")).toBe(1);
    expect(await count("SELECT 1 FROM identity.refresh_tokens WHERE token_hash = 'new'::bytea")).toBe(1);
    expect((await app.runtime.queues.queue('identity.housekeeping').getJobSchedulers()).map((s) => s.key)).toEqual(['identity.housekeeping']);
  });
});
