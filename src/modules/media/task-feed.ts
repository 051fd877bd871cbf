import pg from 'pg';
import type { Logger } from '../../platform/logger.ts';
import type { TaskRow } from './tasks.ts';

/** The PostgreSQL NOTIFY channel of task changes. */
export const CHANNEL = 'media_task_changes';

/** A change of a task's status or progress, as sent to its owner. */
export interface TaskChange {
  id: string;
  ownerId: string;
  status: TaskRow['status'];
  progress: number;
  error: string | null;
}

/** Announces a change to every API process (PostgreSQL NOTIFY; works whichever queue backend runs). */
export async function announce(pool: pg.Pool, task: Pick<TaskRow, 'id' | 'ownerId' | 'status' | 'progress' | 'error'>): Promise<void> {
  const change: TaskChange = { id: task.id, ownerId: task.ownerId, status: task.status, progress: task.progress, error: task.error };
  // NOTIFY has no Kysely builder.
  await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(change)]);
}

/** One LISTEN connection per API process that fans task changes out to the owners' open event streams. */
export class TaskFeed {
  private client: pg.Client | undefined;
  private readonly listeners = new Map<string, Set<(change: TaskChange) => void>>();

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  private connecting: Promise<void> | undefined;
  private closed = false;

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.client || this.closed) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (!message.payload) return;
      const change = JSON.parse(message.payload) as TaskChange;
      for (const listener of this.listeners.get(change.ownerId) ?? []) listener(change);
    });
    client.on('error', (error) => {
      this.log.warn({ err: error.message }, 'task feed connection lost; reconnecting');
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      // Existing subscribers stay registered; a new connection resumes their feed.
      setTimeout(() => {
        if (this.listeners.size > 0) this.connect().catch((e: Error) => this.log.warn({ err: e.message }, 'task feed reconnect failed'));
      }, 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  /** Calls `listener` with each change of the owner's tasks; returns a function that stops it. */
  async subscribe(ownerId: string, listener: (change: TaskChange) => void): Promise<() => void> {
    await this.connect();
    const set = this.listeners.get(ownerId) ?? new Set();
    this.listeners.set(ownerId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(ownerId);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
