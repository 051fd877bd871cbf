import type pg from 'pg';
import { appendEventToOutbox } from '../../platform/outbox/outbox.ts';
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

const COLUMNS = `id, owner_id AS "ownerId", title, status, progress, error, source_url AS "sourceUrl", original_type AS "originalType",
  input, output, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

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

/** SQL for media.tasks; every read and write of another user's task is scoped by owner. */
export class TaskRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Inserts a task; on a repeated (owner, idempotency key) returns the existing one and `created: false`. */
  async create(task: { id: string; ownerId: string; title: string; sourceUrl?: string; originalType?: string; idempotencyKey?: string }): Promise<{ task: TaskRow; created: boolean }> {
    const inserted = await this.pool.query<TaskRow>(
      `INSERT INTO media.tasks (id, owner_id, title, source_url, original_type, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [task.id, task.ownerId, task.title, task.sourceUrl ?? null, task.originalType ?? null, task.idempotencyKey ?? null],
    );
    if (inserted.rows[0]) return { task: inserted.rows[0], created: true };
    const existing = await this.byIdempotencyKey(task.ownerId, task.idempotencyKey!);
    return { task: existing!, created: false };
  }

  async byIdempotencyKey(ownerId: string, key: string): Promise<TaskRow | undefined> {
    const result = await this.pool.query<TaskRow>(`SELECT ${COLUMNS} FROM media.tasks WHERE owner_id = $1 AND idempotency_key = $2`, [ownerId, key]);
    return result.rows[0];
  }

  /** A task, only if it belongs to the owner (when one is given). */
  async get(id: string, ownerId?: string): Promise<TaskRow | undefined> {
    const result = await this.pool.query<TaskRow>(
      `SELECT ${COLUMNS} FROM media.tasks WHERE id = $1 ${ownerId ? 'AND owner_id = $2' : ''}`,
      ownerId ? [id, ownerId] : [id],
    );
    return result.rows[0];
  }

  /** A page of the owner's tasks, ordered by (created_at, id), after the cursor position. */
  async list(q: ListQuery): Promise<TaskRow[]> {
    const params: unknown[] = [q.ownerId];
    const where = ['owner_id = $1'];
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.after) {
      const a = params.push(q.after.createdAt);
      const b = params.push(q.after.id);
      where.push(`(created_at, id) ${q.newestFirst ? '<' : '>'} ($${a}::timestamptz, $${b}::uuid)`);
    }
    const dir = q.newestFirst ? 'DESC' : 'ASC';
    const result = await this.pool.query<TaskRow>(
      `SELECT ${COLUMNS} FROM media.tasks WHERE ${where.join(' AND ')} ORDER BY created_at ${dir}, id ${dir} LIMIT $${params.push(q.max)}`,
      params,
    );
    return result.rows;
  }

  /** queued → processing (also processing → processing when a job is retried or taken over). */
  async start(id: string): Promise<TaskRow | undefined> {
    const result = await this.pool.query<TaskRow>(
      `UPDATE media.tasks SET status = 'processing', progress = 0, error = NULL, started_at = coalesce(started_at, now())
       WHERE id = $1 AND status IN ('queued', 'processing') RETURNING ${COLUMNS}`,
      [id],
    );
    return result.rows[0];
  }

  /** Records progress while processing; returns false when the task was cancelled or deleted meanwhile. */
  async progress(id: string, percent: number): Promise<boolean> {
    const result = await this.pool.query(`UPDATE media.tasks SET progress = $2 WHERE id = $1 AND status = 'processing'`, [id, percent]);
    return result.rowCount === 1;
  }

  async setInput(id: string, input: VideoFacts): Promise<void> {
    await this.pool.query('UPDATE media.tasks SET input = $2 WHERE id = $1', [id, JSON.stringify(input)]);
  }

  /** processing → processed, exactly once; returns the row only for the call that made the change. */
  async finish(id: string, output: VideoFacts): Promise<TaskRow | undefined> {
    return this.transition(
      `UPDATE media.tasks SET status = 'processed', progress = 100, output = $2, finished_at = now()
       WHERE id = $1 AND status = 'processing' RETURNING ${COLUMNS}`,
      [id, JSON.stringify(output)],
      (task) => ({ eventName: 'task.processed', taskId: task.id, ownerId: task.ownerId }),
    );
  }

  /** queued/processing → failed with a reason; returns the row only if it changed. */
  async fail(id: string, reason: string): Promise<TaskRow | undefined> {
    return this.transition(
      `UPDATE media.tasks SET status = 'failed', error = $2, finished_at = now()
       WHERE id = $1 AND status IN ('queued', 'processing') RETURNING ${COLUMNS}`,
      [id, reason],
      (task) => ({ eventName: 'task.failed', taskId: task.id, ownerId: task.ownerId, error: reason }),
    );
  }

  /** Runs one status UPDATE and, when it changed the row, writes the event into the outbox in the same transaction. */
  private async transition(update: string, params: unknown[], event: (task: TaskRow) => TaskFinished): Promise<TaskRow | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const task = (await client.query<TaskRow>(update, params)).rows[0];
      if (task) await appendEventToOutbox(client, MEDIA_OUTBOX, 'media.events', event(task));
      await client.query('COMMIT');
      return task;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async delete(id: string): Promise<void> {
    await this.pool.query('DELETE FROM media.tasks WHERE id = $1', [id]);
  }

  /** Tasks still queued or processing that were created more than `olderThanSeconds` ago, oldest first. */
  async unfinished(olderThanSeconds: number, limit = 1000): Promise<Array<Pick<TaskRow, 'id' | 'ownerId' | 'status'>>> {
    const result = await this.pool.query<Pick<TaskRow, 'id' | 'ownerId' | 'status'>>(
      `SELECT id, owner_id AS "ownerId", status FROM media.tasks
       WHERE status IN ('queued', 'processing') AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return result.rows;
  }
}
