import { sql } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../../platform/db/pool.ts';
import { appendEventToOutbox } from '../../platform/outbox/outbox.ts';
import type { MediaDb, MediaKysely } from './db.ts';
import type { TaskFinished } from './queues.ts';

/** Media's outbox: task.processed / task.failed, published by the platform's relay. */
export const MEDIA_OUTBOX = 'media.outbox';

/** Lifecycle of a task. */
export type TaskStatus = 'queued' | 'processing' | 'processed' | 'failed' | 'cancelled';

/** Facts about a video file. */
export interface VideoFacts {
  durationSec: number;
  width: number;
  height: number;
  sizeBytes: number;
  /** The probed container of an input (decides the type its original is served with). */
  container?: string;
}

/** A task row. */
export interface TaskRow {
  id: string;
  ownerId: string;
  title: string;
  status: TaskStatus;
  progress: number;
  error: string | null;
  sourceUrl: string | null;
  originalType: string | null;
  input: VideoFacts | null;
  output: VideoFacts | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The columns of a TaskRow, under their API names. */
const COLUMNS = [
  'id',
  'owner_id as ownerId',
  'title',
  'status',
  'progress',
  'error',
  'source_url as sourceUrl',
  'original_type as originalType',
  'input',
  'output',
  'created_at as createdAt',
  'started_at as startedAt',
  'finished_at as finishedAt',
] as const;

/** Storage keys of a task's files. */
export const fileKeys = (id: string) => ({
  original: `tasks/${id}/original`,
  processed: `tasks/${id}/processed.mp4`,
  thumbnail: `tasks/${id}/thumbnail.jpg`,
});

/** Which way to list. */
export interface ListQuery {
  ownerId: string;
  max: number;
  newestFirst: boolean;
  status?: TaskStatus | undefined;
  after?: { createdAt: string; id: string } | undefined;
}

/** Queries on media.tasks; every read and write of another user's task is scoped by owner. */
export class TaskRepository {
  private readonly db: MediaKysely;

  constructor(pool: pg.Pool) {
    this.db = createKysely<MediaDb>(pool);
  }

  /** Inserts a task; on a repeated (owner, idempotency key) returns the existing one and `created: false`. */
  async create(task: {
    id: string;
    ownerId: string;
    title: string;
    sourceUrl?: string;
    originalType?: string;
    idempotencyKey?: string;
  }): Promise<{ task: TaskRow; created: boolean }> {
    const inserted = await this.db
      .insertInto('media.tasks')
      .values({
        id: task.id,
        owner_id: task.ownerId,
        title: task.title,
        source_url: task.sourceUrl ?? null,
        original_type: task.originalType ?? null,
        idempotency_key: task.idempotencyKey ?? null,
      })
      .onConflict((oc) => oc.columns(['owner_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
      .returning(COLUMNS)
      .executeTakeFirst();
    if (inserted) return { task: inserted, created: true };
    const existing = await this.byIdempotencyKey(task.ownerId, task.idempotencyKey!);
    return { task: existing!, created: false };
  }

  /** The owner's task created with this Idempotency-Key. */
  async byIdempotencyKey(ownerId: string, key: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('media.tasks').select(COLUMNS).where('owner_id', '=', ownerId).where('idempotency_key', '=', key).executeTakeFirst();
  }

  /** A task, only if it belongs to the owner (when one is given). */
  async get(id: string, ownerId?: string): Promise<TaskRow | undefined> {
    return this.db
      .selectFrom('media.tasks')
      .select(COLUMNS)
      .where('id', '=', id)
      .$if(ownerId !== undefined, (q) => q.where('owner_id', '=', ownerId!))
      .executeTakeFirst();
  }

  /** A page of the owner's tasks, ordered by (created_at, id), after the cursor position. */
  async list(q: ListQuery): Promise<TaskRow[]> {
    const dir = q.newestFirst ? 'desc' : 'asc';
    const after = q.after;
    return this.db
      .selectFrom('media.tasks')
      .select(COLUMNS)
      .where('owner_id', '=', q.ownerId)
      .$if(q.status !== undefined, (qb) => qb.where('status', '=', q.status!))
      .$if(after !== undefined, (qb) =>
        qb.where((eb) => eb(eb.refTuple('created_at', 'id'), q.newestFirst ? '<' : '>', eb.tuple(new Date(after!.createdAt), after!.id))),
      )
      .orderBy('created_at', dir)
      .orderBy('id', dir)
      .limit(q.max)
      .execute();
  }

  /** queued → processing (also processing → processing when a job is retried or taken over). */
  async start(id: string): Promise<TaskRow | undefined> {
    return this.db
      .updateTable('media.tasks')
      .set((eb) => ({ status: 'processing', progress: 0, error: null, started_at: eb.fn.coalesce('started_at', sql<Date>`now()`) }))
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'processing'])
      .returning(COLUMNS)
      .executeTakeFirst();
  }

  /** Records progress while processing; returns false when the task was cancelled or deleted meanwhile. */
  async progress(id: string, percent: number): Promise<boolean> {
    const result = await this.db
      .updateTable('media.tasks')
      .set({ progress: percent })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Stores the probed facts of the input. */
  async setInput(id: string, input: VideoFacts): Promise<void> {
    await this.db
      .updateTable('media.tasks')
      .set({ input: JSON.stringify(input) })
      .where('id', '=', id)
      .execute();
  }

  /** processing → processed, exactly once; returns the row only for the call that made the change. */
  async finish(id: string, output: VideoFacts): Promise<TaskRow | undefined> {
    return this.transition(
      (tx) =>
        tx
          .updateTable('media.tasks')
          .set({ status: 'processed', progress: 100, output: JSON.stringify(output), finished_at: sql<Date>`now()` })
          .where('id', '=', id)
          .where('status', '=', 'processing')
          .returning(COLUMNS)
          .executeTakeFirst(),
      (task) => ({ eventName: 'task.processed', taskId: task.id, ownerId: task.ownerId }),
    );
  }

  /** queued/processing → failed with a reason; returns the row only if it changed. */
  async fail(id: string, reason: string): Promise<TaskRow | undefined> {
    return this.transition(
      (tx) =>
        tx
          .updateTable('media.tasks')
          .set({ status: 'failed', error: reason, finished_at: sql<Date>`now()` })
          .where('id', '=', id)
          .where('status', 'in', ['queued', 'processing'])
          .returning(COLUMNS)
          .executeTakeFirst(),
      (task) => ({ eventName: 'task.failed', taskId: task.id, ownerId: task.ownerId, error: reason }),
    );
  }

  /** Runs one status update and, when it changed the row, writes the event into the outbox in the same transaction. */
  private async transition(update: (tx: MediaKysely) => Promise<TaskRow | undefined>, event: (task: TaskRow) => TaskFinished): Promise<TaskRow | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const task = await update(tx);
      if (task) await appendEventToOutbox(tx, MEDIA_OUTBOX, 'media.events', event(task));
      return task;
    });
  }

  /** Removes the row (the caller has dealt with its files). */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('media.tasks').where('id', '=', id).execute();
  }

  /** Tasks still queued or processing that were created more than `olderThanSeconds` ago, oldest first. */
  async unfinished(olderThanSeconds: number, limit = 1000): Promise<Array<Pick<TaskRow, 'id' | 'ownerId' | 'status'>>> {
    return this.db
      .selectFrom('media.tasks')
      .select(['id', 'owner_id as ownerId', 'status'])
      .where('status', 'in', ['queued', 'processing'])
      .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }
}
