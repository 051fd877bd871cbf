import type { ModuleContext } from '../../platform/module.ts';
import { mediaSettings } from './config.ts';
import type { JobHandler } from '../../platform/queue/worker.ts';
import { TaskDeletions } from './deletions.ts';
import { announce } from './task-feed.ts';
import { removeTaskFiles } from './task-deletion.ts';
import { TaskRepository } from './tasks.ts';

/** A task younger than this may still be getting its job from the API that created it. */
const GRACE_SECONDS = 5;

/** What one reconciliation pass changed. */
export interface ReconcileReport {
  enqueued: number;
  failed: number;
  filesRemoved: number;
}

/** The reason stored for a task whose job BullMQ failed without the handler recording it. */
function reasonFromJob(failedReason: string | undefined): string {
  if (!failedReason) return 'processing failed because of a server error; please try again later';
  if (/stalled more than allowable limit/i.test(failedReason)) return 'the workers processing this video stopped repeatedly; please try again';
  if (/timed out/i.test(failedReason)) return 'processing took too long and was stopped';
  return failedReason.slice(0, 300); // the media handler throws only user-safe reasons
}

/**
 * Makes every terminal state of a job reach its task, and every task have a job:
 * a queued or processing task without a job (the API died between the row and
 * the job, or the job was removed) gets one again; one whose job failed
 * (including stalled more often than allowed, which no handler sees) or
 * completed without finishing it is failed with a reason. Also removes files of
 * deleted tasks that could not be removed at the time.
 */
export async function reconcileTasks(ctx: ModuleContext): Promise<ReconcileReport> {
  const tasks = new TaskRepository(ctx.pool);
  const deletions = new TaskDeletions(ctx.pool);
  const queue = ctx.queues.queue('media.process');
  const report: ReconcileReport = { enqueued: 0, failed: 0, filesRemoved: 0 };
  for (const task of await tasks.unfinished(GRACE_SECONDS)) {
    const job = await queue.getJob(task.id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'missing' || state === 'unknown') {
      await queue.add('process', { taskId: task.id }, { jobId: task.id });
      report.enqueued++;
    } else if (state === 'failed' || state === 'completed') {
      const reason = state === 'failed' ? reasonFromJob(job?.failedReason) : 'processing ended without a result; please try again';
      const failed = await tasks.fail(task.id, reason);
      if (failed) {
        report.failed++;
        await announce(ctx.pool, failed);
      }
    }
  }
  for (const taskId of await deletions.pending(GRACE_SECONDS)) {
    await removeTaskFiles(ctx, deletions, taskId);
    report.filesRemoved++;
  }
  return report;
}

/**
 * The media.reconcile handler. Creating it (in every process that consumes the
 * queue) runs one pass at once and keeps one BullMQ job scheduler that runs a
 * pass every AULA_MEDIA_RECONCILE_SECONDS, on whichever worker takes it.
 */
export function createReconciler(ctx: ModuleContext): JobHandler<'media.reconcile'> {
  const run = async () => {
    const report = await reconcileTasks(ctx);
    if (report.enqueued + report.failed + report.filesRemoved > 0) ctx.log.warn(report, 'media tasks reconciled with their jobs');
    return report;
  };
  const queue = ctx.queues.queue('media.reconcile');
  void queue
    .upsertJobScheduler('media.reconcile', { every: mediaSettings.get(ctx.config).reconcileIntervalMs }, { name: 'reconcile', data: { reason: 'schedule' } })
    .then(run)
    .catch((error: Error) => ctx.log.warn({ err: error.message }, 'media reconciliation at start failed'));
  return () => run();
}
