import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { waitUntil } from '../../../test/wait.ts';
import { runMigrations } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { createPostgresQueueBackend, type QueueBackend } from '../queue/backend.ts';
import { startWorker, type RunningWorker } from '../queue/worker.ts';
import { platformModule } from '../platform-module.ts';
import { QueueCatalog } from '../queue/catalog.ts';
import { runWithRequestId } from '../request-context.ts';
import { appendToOutbox } from './outbox.ts';
import { startOutboxRelay, type OutboxRelay } from './relay.ts';

const log = createLogger('silent');
let db: TestDatabase;
let pool: pg.Pool;
let queues: QueueBackend;
let relay: OutboxRelay;
let worker: RunningWorker;
const seen: Array<{ seq: number; requestId: string | undefined }> = [];

async function inTransaction(fn: (client: pg.PoolClient) => Promise<void>, outcome: 'COMMIT' | 'ROLLBACK'): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query(outcome);
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 4, log);
  queues = createPostgresQueueBackend(db.url, new QueueCatalog([platformModule]), log);
  await runMigrations(pool, [], log, queues.migrate);
  await pool.query(`CREATE SCHEMA demo;
    CREATE TABLE demo.outbox (seq bigserial PRIMARY KEY, event_id uuid NOT NULL DEFAULT gen_random_uuid(), queue text NOT NULL,
      name text NOT NULL, payload jsonb NOT NULL, request_id text, created_at timestamptz NOT NULL DEFAULT now())`);
  worker = startWorker(queues, 'platform.noop', async (job) => void seen.push({ seq: job.data.seq, requestId: job.data.requestId }), log);
  relay = startOutboxRelay({ pool, databaseUrl: db.url, queues, tables: ['demo.outbox'], log });
});
afterAll(async () => {
  await relay?.stop();
  await worker?.stop(1000);
  await queues?.close();
  await pool?.end();
  await db?.drop();
});

describe('transactional outbox', () => {
  it('publishes what commits, with the request id, and nothing of a rolled-back transaction', async () => {
    await runWithRequestId('req-outbox-1', () => inTransaction((c) => appendToOutbox(c, 'demo.outbox', 'platform.noop', 'noop', { seq: 1 }), 'COMMIT'));
    await inTransaction((c) => appendToOutbox(c, 'demo.outbox', 'platform.noop', 'noop', { seq: 2 }), 'ROLLBACK');
    await inTransaction((c) => appendToOutbox(c, 'demo.outbox', 'platform.noop', 'noop', { seq: 3 }), 'COMMIT');
    await waitUntil(() => seen.some((s) => s.seq === 3));
    expect(seen).toEqual([
      { seq: 1, requestId: 'req-outbox-1' },
      { seq: 3, requestId: undefined },
    ]);
    expect((await pool.query('SELECT count(*)::int AS n FROM demo.outbox')).rows[0].n).toBe(0);
  });

  it('refuses a table name that is not schema.table', async () => {
    await expect(appendToOutbox(pool, 'demo.outbox; DROP TABLE x', 'platform.noop', 'noop', { seq: 9 })).rejects.toThrow(/schema\.table/);
  });
});
