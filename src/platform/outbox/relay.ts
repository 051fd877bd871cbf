import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { QueueBackend } from '../queue/backend.ts';
import type { EventStreams } from '../queue/definitions.ts';
import { checkOutboxTable, OUTBOX_CHANNEL } from './outbox.ts';

/** Publishes the rows of outbox tables to their queues and event streams; one per process. */
export interface OutboxRelay {
  /** Publishes everything pending in every table now; resolves with how many jobs were published. */
  publishPending(): Promise<number>;
  /** Stops polling and listening; waits for a running pass. */
  stop(): Promise<void>;
}

/** How a relay runs. */
export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** For the dedicated LISTEN connection that wakes the relay when an append commits. */
  databaseUrl: string;
  queues: QueueBackend;
  /** Schema-qualified outbox tables (every module's). */
  tables: string[];
  log: Logger;
  /** Fallback poll, for rows whose notification was missed or whose publishing failed. */
  pollMs?: number;
  /** A publish that takes longer counts as failed, so no transaction stays open through a queue outage. */
  publishTimeoutMs?: number;
}

interface OutboxRow {
  seq: number;
  event_id: string;
  queue: string;
  name: string;
  payload: Record<string, unknown>;
  request_id: string | null;
}

const BATCH = 200;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`queue did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts the outbox relay: on every committed append (NOTIFY) and every `pollMs`,
 * it locks a batch of rows (SKIP LOCKED, so relays in other processes take other
 * rows), adds them as jobs (job id = the row's event id, so a re-publish after a
 * crash between add and delete is ignored by the queue), then deletes them in the
 * same transaction. While the queue is down the rows simply stay.
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const tables = opts.tables.map(checkOutboxTable);
  const pollMs = opts.pollMs ?? 1000;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 5000;
  const running = new Map<string, Promise<number>>();
  const again = new Set<string>();
  let failing = false;
  let stopped = false;

  const pass = async (table: string): Promise<number> => {
    const client = await opts.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<OutboxRow>(
        `SELECT seq, event_id, queue, name, payload, request_id FROM ${table} ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      const published: number[] = [];
      for (const queue of new Set(rows.map((r) => r.queue))) {
        const batch = rows.filter((r) => r.queue === queue);
        if (opts.queues.catalog.isEventStream(queue)) {
          // In order, one by one: a subscriber sees a module's events in the order they committed.
          for (const r of batch) {
            const event = { ...r.payload, eventId: r.event_id, ...(r.request_id ? { requestId: r.request_id } : {}) };
            // The row was written by appendEventToOutbox from an EventStreams[stream] value.
            await withTimeout(opts.queues.publish(queue, event as unknown as EventStreams[typeof queue]), publishTimeoutMs);
            published.push(r.seq);
          }
          continue;
        }
        if (!opts.queues.catalog.has(queue)) {
          opts.log.error({ table, queue }, 'outbox rows name an unknown queue or event stream; left in place');
          continue;
        }
        const jobs = batch.map((r) => ({
          name: r.name,
          // appendToOutbox wrote this row from a QueuePayloads[queue] value; the row type cannot carry that link.
          data: { ...r.payload, ...(r.request_id ? { requestId: r.request_id } : {}) } as never,
          opts: { jobId: r.event_id },
        }));
        await withTimeout(opts.queues.queue(queue).addBulk(jobs), publishTimeoutMs);
        published.push(...batch.map((r) => r.seq));
      }
      if (published.length > 0) await client.query(`DELETE FROM ${table} WHERE seq = ANY($1::bigint[])`, [published]);
      await client.query('COMMIT');
      return published.length === rows.length ? rows.length : 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const drain = async (table: string): Promise<number> => {
    let total = 0;
    for (;;) {
      again.delete(table);
      const count = await pass(table);
      total += count;
      if (count < BATCH && !again.has(table)) return total;
    }
  };

  const kick = (table: string): Promise<number> => {
    const current = running.get(table);
    if (current) {
      again.add(table);
      return current;
    }
    const run = drain(table)
      .then((count) => {
        if (failing) opts.log.info({ table }, 'outbox relay publishing again');
        failing = false;
        return count;
      })
      .catch((error: unknown) => {
        if (!failing)
          opts.log.warn({ table, err: error instanceof Error ? error.message : String(error) }, 'outbox relay could not publish; rows kept, retrying');
        failing = true;
        return 0;
      })
      .finally(() => running.delete(table));
    running.set(table, run);
    return run;
  };

  let listener: pg.Client | undefined;
  const listen = async () => {
    if (listener || stopped) return;
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    listener = client;
    client.on('notification', (message) => {
      if (message.payload && tables.includes(message.payload)) void kick(message.payload);
    });
    client.on('error', () => {
      if (listener === client) listener = undefined;
      void client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch {
      if (listener === client) listener = undefined;
      await client.end().catch(() => undefined);
    }
  };

  const tick = () => {
    void listen();
    for (const table of tables) void kick(table);
  };
  const timer = setInterval(tick, pollMs);
  timer.unref();
  tick();

  return {
    async publishPending() {
      const counts = await Promise.all(tables.map((table) => kick(table)));
      return counts.reduce((a, b) => a + b, 0);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await listener?.end().catch(() => undefined);
      listener = undefined;
      await Promise.all(running.values());
    },
  };
}
