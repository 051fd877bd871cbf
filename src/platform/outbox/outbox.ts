import type pg from 'pg';
import { sql, type QueryExecutorProvider } from 'kysely';
import { currentRequestId } from '../request-context.ts';
import type { EventStreamName, EventStreams, QueueName, QueuePayloads } from '../queue/definitions.ts';

/*
 * A module's outbox is a table in its own schema, created by its own migration:
 *
 *   CREATE TABLE <schema>.outbox (
 *     seq         bigserial   PRIMARY KEY,
 *     event_id    uuid        NOT NULL DEFAULT gen_random_uuid(),  -- the job id: a re-publish is a no-op
 *     queue       text        NOT NULL,                           -- a queue, or an event stream
 *     name        text        NOT NULL,
 *     payload     jsonb       NOT NULL,
 *     request_id  text,
 *     created_at  timestamptz NOT NULL DEFAULT now()
 *   );
 *
 * and named in the module's `outboxes`, so every API and worker process relays it.
 */

/** The channel an append notifies (at commit) so relays publish at once instead of at their next poll. */
export const OUTBOX_CHANNEL = 'aula_outbox';

/** A transaction to append in: a pg client inside BEGIN, or a Kysely transaction. */
export type OutboxExecutor = Pick<pg.ClientBase, 'query'> | QueryExecutorProvider;

/** `schema.table`, both plain identifiers: the only table names an outbox accepts. */
const TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** Throws unless `table` is a schema-qualified plain identifier (it is interpolated into SQL). */
export function checkOutboxTable(table: string): string {
  if (!TABLE.test(table)) throw new Error(`outbox table must be schema.table in lower case, got ${table}`);
  return table;
}

/**
 * Writes a job for `queue` into the module's outbox table, inside the caller's
 * transaction: it exists exactly when the change that caused it commits, and a
 * relay publishes it to the queue afterwards (retrying while the queue is down).
 * The current request id travels with it.
 */
export async function appendToOutbox<N extends QueueName>(
  executor: OutboxExecutor,
  table: string,
  queue: N,
  name: string,
  data: QueuePayloads[N],
): Promise<void> {
  await insertRow(executor, table, queue, name, data);
}

/**
 * Writes an event for other modules' subscribers into the module's outbox table,
 * inside the caller's transaction; the relay publishes it on its event stream with
 * the row's event id, so a subscriber that gets it twice (a relay crash between
 * publish and delete) can tell.
 */
export async function appendEventToOutbox<S extends EventStreamName>(
  executor: OutboxExecutor,
  table: string,
  stream: S,
  event: EventStreams[S],
): Promise<void> {
  await insertRow(executor, table, stream, event.eventName, event);
}

async function insertRow(executor: OutboxExecutor, table: string, target: string, name: string, data: object): Promise<void> {
  checkOutboxTable(table);
  const requestId = currentRequestId() ?? null;
  const payload = JSON.stringify(data);
  if ('getExecutor' in executor) {
    await sql`INSERT INTO ${sql.raw(table)} (queue, name, payload, request_id) VALUES (${target}, ${name}, ${payload}::jsonb, ${requestId})`.execute(executor);
    await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, ${table})`.execute(executor);
    return;
  }
  await executor.query(`INSERT INTO ${table} (queue, name, payload, request_id) VALUES ($1, $2, $3::jsonb, $4)`, [target, name, payload, requestId]);
  await executor.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, table]);
}
