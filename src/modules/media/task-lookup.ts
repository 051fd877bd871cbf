import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';
import type { TaskStatus } from './tasks.ts';

/** What other modules may ask media about a task: its owner and status, nothing else. */
export interface TaskLookup {
  /** The task's owner and status, or undefined for an unknown or malformed id. */
  ownerAndStatus(taskId: string): Promise<{ ownerId: string; status: TaskStatus } | undefined>;
}

/** The task interface media exports; projects uses it to check a demo video. */
export function taskLookup(ctx: ModuleContext): TaskLookup {
  return {
    async ownerAndStatus(taskId) {
      if (!isUuid(taskId)) return undefined;
      const { rows } = await ctx.pool.query<{ ownerId: string; status: TaskStatus }>(
        'SELECT owner_id AS "ownerId", status FROM media.tasks WHERE id = $1',
        [taskId],
      );
      return rows[0];
    },
  };
}
