import type { ModuleContext } from '../../platform/module.ts';
import type { TaskDeletions } from './deletions.ts';
import { fileKeys } from './tasks.ts';

/** Removes a deleted task's files, then its entry in the deletion outbox; throws (and keeps the entry) if a file cannot go. */
export async function removeTaskFiles(ctx: ModuleContext, deletions: TaskDeletions, taskId: string): Promise<void> {
  for (const key of Object.values(fileKeys(taskId))) await ctx.storage.delete(key);
  await deletions.done(taskId);
}

/**
 * DELETE of a task, all or nothing: one transaction removes the row and records
 * its files for removal (so a failure before the commit changes nothing, and one
 * after it leaves the files to the reconciler); then the job and files go.
 * Returns false when the owner has no such task.
 */
export async function deleteTask(ctx: ModuleContext, deletions: TaskDeletions, id: string, ownerId: string): Promise<boolean> {
  const status = await deletions.deleteTask(id, ownerId);
  if (status === undefined) return false;
  if (status === 'queued')
    await ctx.queues
      .queue('media.process')
      .remove(id)
      .catch(() => 0);
  try {
    await removeTaskFiles(ctx, deletions, id);
  } catch (error) {
    ctx.log.warn({ taskId: id, err: (error as Error).message }, 'files of a deleted task not removed yet; the reconciler retries');
  }
  return true;
}
