import { createKysely } from '../../platform/db/pool.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { MediaDb } from './db.ts';
import { isUuid } from '../../platform/ids.ts';
import type { TaskStatus } from './tasks.ts';

/** What other modules may ask media about a task: its owner and status, nothing else. */
export interface TaskLookup {
  /** The task's owner and status, or undefined for an unknown or malformed id. */
  ownerAndStatus(taskId: string): Promise<{ ownerId: string; status: TaskStatus } | undefined>;
}

/** The task interface media exports; projects uses it to check a demo video. */
export function taskLookup(ctx: ModuleContext): TaskLookup {
  const db = createKysely<MediaDb>(ctx.pool);
  return {
    async ownerAndStatus(taskId) {
      if (!isUuid(taskId)) return undefined;
      return db.selectFrom('media.tasks').select(['owner_id as ownerId', 'status']).where('id', '=', taskId).executeTakeFirst();
    },
  };
}
