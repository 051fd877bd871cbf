import pg from 'pg';
import type { Logger } from '../../platform/logger.ts';
import { CHANNEL, type TaskChange } from './task-feed.ts';

/** Called with a change of a watched task, or with undefined after a reconnect (changes may have been missed). */
export type TaskSignalListener = (change: TaskChange | undefined) => void;

/**
 * Tells a worker when a task it runs changes (cancelled, deleted) through the
 * same PostgreSQL NOTIFY channel the API announces on, instead of polling the
 * row. One LISTEN connection per worker process, open only while tasks are watched.
 */
export class TaskSignals {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly watchers = new Map<string, Set<TaskSignalListener>>();

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  /** Starts watching a task; resolves once notifications are being received. Returns the function that stops it. */
  async watch(taskId: string, listener: TaskSignalListener): Promise<() => void> {
    const set = this.watchers.get(taskId) ?? new Set();
    this.watchers.set(taskId, set);
    set.add(listener);
    const stop = () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(taskId);
      if (this.watchers.size === 0) this.disconnect();
    };
    try {
      await this.connect();
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  private connect(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (!message.payload) return;
      const change = JSON.parse(message.payload) as TaskChange;
      for (const listener of this.watchers.get(change.id) ?? []) listener(change);
    });
    client.on('error', (error) => {
      this.log.warn({ err: error.message }, 'task signal connection lost; reconnecting');
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.reconnect(), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.watchers.size === 0)
      await client.end().catch(() => undefined); // every watch stopped meanwhile
    else this.client = client;
  }

  private async reconnect(): Promise<void> {
    if (this.watchers.size === 0) return;
    try {
      await this.connect();
      for (const set of this.watchers.values()) for (const listener of set) listener(undefined);
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'task signal reconnect failed');
      setTimeout(() => void this.reconnect(), 1000).unref();
    }
  }

  private disconnect(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
  }
}
