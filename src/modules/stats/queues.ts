import type { ModuleQueues } from '../../platform/module.ts';
import type { GradeRecorded } from '../academic/events.ts';
import { createKysely } from '../../platform/db/pool.ts';
import type { StatsDb } from './db.ts';
import { StatsRepository } from './repository.ts';

/** Stats' job payloads, by queue. */
export interface StatsQueuePayloads {
  /** `grade.recorded` events — one from academic, or a batch written directly by an external system. */
  'stats.grade-recorded': { grades: GradeRecorded[] };
}

declare module '../../platform/queue/definitions.ts' {
  interface QueuePayloads extends StatsQueuePayloads {}
}

/** Stats' queues: settings and handlers. */
export const statsQueues: ModuleQueues<StatsQueuePayloads> = {
  'stats.grade-recorded': {
    spec: {
      attempts: 10,
      backoff: { type: 'exponential', delayMs: 200 },
      timeoutMs: 30_000,
      concurrency: 8,
      keepCompleted: { count: 1000, ageSeconds: 600 },
      keepFailed: { count: 10_000, ageSeconds: 7 * 24 * 3600 },
    },
    handler: (ctx) => {
      const repo = new StatsRepository(createKysely<StatsDb>(ctx.pool));
      return async (job) => void (await repo.record(job.data.grades));
    },
  },
};
