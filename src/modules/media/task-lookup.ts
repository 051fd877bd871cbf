import { createKysely } from '../../platform/db/pool.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { mediaSettings } from './config.ts';
import type { MediaDb } from './db.ts';
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
  const db = createKysely<MediaDb>(ctx.pool);
  const ownerAndStatus: TaskLookup['ownerAndStatus'] = async (taskId) => {
    if (!isUuid(taskId)) return undefined;
    return db.selectFrom('media.tasks').select(['owner_id as ownerId', 'status']).where('id', '=', taskId).executeTakeFirst();
  };
  return {
    ownerAndStatus,
    async playableLinks(taskId) {
      if ((await ownerAndStatus(taskId))?.status !== 'processed') return undefined;
      const ttl = mediaSettings.get(ctx.config).linkTtlSeconds;
      const link = (kind: 'processed' | 'thumbnail') => signedPath('/api/tasks', ctx.jwtSecret, taskId, kind, ttl);
      return { processed: link('processed'), thumbnail: link('thumbnail') };
    },
  };
}
