import type pg from 'pg';
import { CHANNEL, type TaskChange } from './task-feed.ts';
import type { TaskStatus } from './tasks.ts';

/** SQL for deleting tasks all-or-nothing: the row goes, and its files are recorded for removal, in one transaction. */
export class TaskDeletions {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Deletes the owner's task and records that its files must go, atomically; a
   * task that was still running is announced as cancelled when (and only if) this commits.
   * Returns the status it had, or undefined when there is no such task.
   */
  async deleteTask(id: string, ownerId: string): Promise<TaskStatus | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ status: TaskStatus }>('DELETE FROM media.tasks WHERE id = $1 AND owner_id = $2 RETURNING status', [id, ownerId]);
      const status = rows[0]?.status;
      if (status === undefined) {
        await client.query('ROLLBACK');
        return undefined;
      }
      await client.query('INSERT INTO media.file_deletions (task_id) VALUES ($1) ON CONFLICT DO NOTHING', [id]);
      if (status === 'queued' || status === 'processing') {
        const change: TaskChange = { id, ownerId, status: 'cancelled', progress: 0, error: null };
        await client.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(change)]); // delivered on commit
      }
      await client.query('COMMIT');
      return status;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Tasks whose files were still to remove `olderThanSeconds` after their delete. */
  async pending(olderThanSeconds: number, limit = 500): Promise<string[]> {
    const { rows } = await this.pool.query<{ taskId: string }>(
      `SELECT task_id AS "taskId" FROM media.file_deletions WHERE requested_at < now() - make_interval(secs => $1) ORDER BY requested_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => r.taskId);
  }

  /** The task's files are gone. */
  async done(taskId: string): Promise<void> {
    await this.pool.query('DELETE FROM media.file_deletions WHERE task_id = $1', [taskId]);
  }
}
