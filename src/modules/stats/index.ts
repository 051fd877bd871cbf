import { fileURLToPath } from 'node:url';
import type { AulaModule } from '../../platform/module.ts';
import { courseLookup } from '../academic/lookup.ts';
import { StatsAccess } from './access.ts';
import { registerStatsRoutes, STATS_OUTBOX } from './routes.ts';
import { StatsStore } from './store.ts';

/** Stats: grade analytics from `grade.recorded` events, in its own tables. */
export const statsModule: AulaModule = {
  name: 'stats',
  migrations: { schema: 'stats', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },
  outboxes: [STATS_OUTBOX],
  async routes(app, ctx) {
    const access = new StatsAccess(courseLookup(ctx), ctx.auth, ctx.config.statsServiceToken);
    await app.register(async (scope) => registerStatsRoutes(scope, ctx, new StatsStore(ctx.pool), access));
  },
  handlers: {
    'stats.grade-recorded': (ctx) => {
      const store = new StatsStore(ctx.pool);
      return async (job) => void (await store.record(job.data.grades));
    },
  },
};
