import { fileURLToPath } from 'node:url';
import type { AulaModule } from './module.ts';
import { pruneProcesses } from './housekeeping/prune-processes.ts';
import { scheduleHousekeeping } from './housekeeping/schedule.ts';

/** The platform's own schema (process registry), its housekeeping job and the diagnostic no-op queue. */
export const platformModule: AulaModule = {
  name: 'platform',
  migrations: { schema: 'platform', dir: fileURLToPath(new URL('./db/migrations', import.meta.url)) },
  handlers: {
    'platform.noop': () => async (job) => ({ seq: job.data.seq }),
    'platform.housekeeping': (ctx) => async () => ({ processesPruned: await pruneProcesses(ctx.pool) }),
  },
  async onStart(ctx) {
    await scheduleHousekeeping(ctx.queues, 'platform.housekeeping', ctx.config.housekeepingIntervalSeconds);
  },
};
