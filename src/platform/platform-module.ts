import { fileURLToPath } from 'node:url';
import type { AulaModule } from './module.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { pruneIdempotencyKeys } from './housekeeping/prune-idempotency-keys.ts';
import { pruneProcesses } from './housekeeping/prune-processes.ts';
import { scheduleHousekeeping } from './housekeeping/schedule.ts';

/** The platform's own schema (process registry), its admin pages (processes, queue dashboard), its housekeeping job (process records, expired Idempotency-Key responses) and the diagnostic no-op queue. */
export const platformModule: AulaModule = {
  name: 'platform',
  migrations: { schema: 'platform', dir: fileURLToPath(new URL('./db/migrations', import.meta.url)) },
  async routes(app, ctx) {
    await app.register(async (scope) => registerAdminRoutes(scope, ctx));
  },
  handlers: {
    'platform.noop': () => async (job) => ({ seq: job.data.seq }),
    'platform.housekeeping': (ctx) => async () => ({
      processesPruned: await pruneProcesses(ctx.pool),
      idempotencyKeysPruned: await pruneIdempotencyKeys(ctx.pool),
    }),
  },
  async onStart(ctx) {
    await scheduleHousekeeping(ctx.queues, 'platform.housekeeping', ctx.config.housekeepingIntervalSeconds);
  },
};
