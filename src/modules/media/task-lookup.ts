import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';
import { signedPath } from './links.ts';
import type { TaskStatus } from './tasks.ts';

/** What other modules may ask media about a task: its owner and status, nothing else. */
export interface TaskLookup {
  /** The task's owner and status, or undefined for an unknown or malformed id. */
  ownerAndStatus(taskId: string): Promise<{ ownerId: string; status: TaskStatus } | undefined>;
  /** Signed links (no token needed, they expire) to a processed task's video and thumbnail; undefined unless processed. */
  playableLinks(taskId: string): Promise<{ processed: string; thumbnail: string } | undefined>;
}

/** The task interface media exports; projects uses it to check a demo video and to show it. */
export function taskLookup(ctx: ModuleContext): TaskLookup {
  const ownerAndStatus: TaskLookup['ownerAndStatus'] = async (taskId) => {
    if (!isUuid(taskId)) return undefined;
    const { rows } = await ctx.pool.query<{ ownerId: string; status: TaskStatus }>(
      'SELECT owner_id AS "ownerId", status FROM media.tasks WHERE id = $1',
      [taskId],
    );
    return rows[0];
  };
  return {
    ownerAndStatus,
    async playableLinks(taskId) {
      if ((await ownerAndStatus(taskId))?.status !== 'processed') return undefined;
      const link = (kind: 'processed' | 'thumbnail') => signedPath('/api/tasks', ctx.jwtSecret, taskId, kind, ctx.config.media.linkTtlSeconds);
      return { processed: link('processed'), thumbnail: link('thumbnail') };
    },
  };
}
