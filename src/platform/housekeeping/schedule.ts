import type { QueueBackend } from '../queue/backend.ts';

/** Queues whose job is a repeatable housekeeping pass with no data. */
export type HousekeepingQueue = 'platform.housekeeping' | 'identity.housekeeping';

/**
 * Makes sure a BullMQ job scheduler adds one job to `queue` every `everySeconds`.
 * Every process calls it at start; the scheduler is keyed by the queue's name, so
 * there is one schedule however many processes run.
 */
export async function scheduleHousekeeping(queues: QueueBackend, queue: HousekeepingQueue, everySeconds: number): Promise<void> {
  await queues.queue(queue).upsertJobScheduler(queue, { every: everySeconds * 1000 }, { name: 'prune', data: {} });
}
