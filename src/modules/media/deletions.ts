import { sql } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../../platform/db/pool.ts';
import type { MediaDb, MediaKysely } from './db.ts';
import { CHANNEL, type TaskChange } from './task-feed.ts';
import type { TaskStatus } from './tasks.ts';

/** Deleting tasks all-or-nothing: the row goes, and its files are recorded for removal, in one transaction. */
export class TaskDeletions {
  private readonly db: MediaKysely;

  constructor(pool: pg.Pool) {
    this.db = createKysely<MediaDb>(pool);
  }

  /**
   * Deletes the owner's task and records that its files must go, atomically; a
   * task that was still running is announced as cancelled when (and only if) this commits.
   * Returns the status it had, or undefined when there is no such task.
   */
  async deleteTask(id: string, ownerId: string): Promise<TaskStatus | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const deleted = await tx.deleteFrom('media.tasks').where('id', '=', id).where('owner_id', '=', ownerId).returning('status').executeTakeFirst();
      if (!deleted) return undefined;
      await tx
        .insertInto('media.file_deletions')
        .values({ task_id: id })
        .onConflict((oc) => oc.doNothing())
        .execute();
      if (deleted.status === 'queued' || deleted.status === 'processing') {
        const change: TaskChange = { id, ownerId, status: 'cancelled', progress: 0, error: null };
        // NOTIFY has no Kysely builder; delivered on commit.
        await sql`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(change)})`.execute(tx);
      }
      return deleted.status;
    });
  }

  /** Tasks whose files were still to remove `olderThanSeconds` after their delete. */
  async pending(olderThanSeconds: number, limit = 500): Promise<string[]> {
    const rows = await this.db
      .selectFrom('media.file_deletions')
      .select('task_id')
      .where('requested_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
      .orderBy('requested_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.task_id);
  }

  /** The task's files are gone. */
  async done(taskId: string): Promise<void> {
    await this.db.deleteFrom('media.file_deletions').where('task_id', '=', taskId).execute();
  }
}
