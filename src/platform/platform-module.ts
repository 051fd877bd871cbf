import { fileURLToPath } from 'node:url';
import type { AulaModule, ModuleQueues } from './module.ts';
import type { QueuePayloads } from './queue/definitions.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { pruneIdempotencyKeys } from './housekeeping/prune-idempotency-keys.ts';
import { pruneProcesses } from './housekeeping/prune-processes.ts';
import { scheduleHousekeeping } from './housekeeping/schedule.ts';

/** Settings of a once-an-hour housekeeping queue (identity uses the same). */
export const HOUSEKEEPING_SPEC = {
  attempts: 3,
  backoff: { type: 'exponential', delayMs: 5000 },
  timeoutMs: 5 * 60_000,
  concurrency: 1,
  keepCompleted: { count: 10, ageSeconds: 24 * 3600 },
  keepFailed: { count: 100, ageSeconds: 7 * 24 * 3600 },
} as const;

/** The platform's own queues: the diagnostic no-op and housekeeping. */
export const platformQueues: ModuleQueues<Pick<QueuePayloads, 'platform.noop' | 'platform.housekeeping'>> = {
  'platform.noop': {
    spec: {
      attempts: 3,
      backoff: { type: 'exponential', delayMs: 500 },
      timeoutMs: 30_000,
      concurrency: 8,
      keepCompleted: { count: 1000, ageSeconds: 3600 },
      keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
    },
    handler: () => async (job) => ({ seq: job.data.seq }),
  },
  'platform.housekeeping': {
    spec: HOUSEKEEPING_SPEC,
    handler: (ctx) => async () => ({
      processesPruned: await pruneProcesses(ctx.pool),
      idempotencyKeysPruned: await pruneIdempotencyKeys(ctx.pool),
    }),
  },
};

/** The platform's own schema (process registry), its admin pages (processes, queue dashboard), its housekeeping job (process records, expired Idempotency-Key responses) and the diagnostic no-op queue. */
export const platformModule: AulaModule = {
  name: 'platform',
  migrations: { schema: 'platform', dir: fileURLToPath(new URL('./db/migrations', import.meta.url)) },
  async routes(app, ctx) {
    await app.register(async (scope) => registerAdminRoutes(scope, ctx));
  },
  queues: platformQueues,
  async onStart(ctx) {
    await scheduleHousekeeping(ctx.queues, 'platform.housekeeping', ctx.config.housekeepingIntervalSeconds);
  },
};
