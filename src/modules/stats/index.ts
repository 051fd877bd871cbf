import { fileURLToPath } from 'node:url';
import { createKysely } from '../../platform/db/pool.ts';
import type { AulaModule } from '../../platform/module.ts';
import { courseLookup } from '../academic/lookup.ts';
import { StatsAccess } from './access.ts';
import type { StatsDb } from './db.ts';
import { statsQueues } from './queues.ts';
import { StatsRepository } from './repository.ts';
import { registerStatsRoutes } from './routes.ts';
import { STATS_OUTBOX, StatsService } from './service.ts';
import { statsSettings } from './config.ts';

/** Stats: grade analytics from `grade.recorded` events, in its own tables. */
export const statsModule: AulaModule = {
  name: 'stats',
  migrations: { schema: 'stats', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },
  outboxes: [STATS_OUTBOX],
  async routes(app, ctx) {
    const access = new StatsAccess(courseLookup(ctx), ctx.auth, statsSettings.get(ctx.config).serviceToken);
    const stats = new StatsService(new StatsRepository(createKysely<StatsDb>(ctx.pool)), access, ctx.pool, courseLookup(ctx).gradeScale);
    await app.register(async (scope) => registerStatsRoutes(scope, ctx.auth, access, stats));
  },
  queues: statsQueues,
};
