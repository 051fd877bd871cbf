import { fileURLToPath } from 'node:url';
import { createKysely } from '../../platform/db/pool.ts';
import type { AulaModule } from '../../platform/module.ts';
import { projectLookup } from '../projects/lookup.ts';
import { deploySettings } from './config.ts';
import type { DeployDb } from './db.ts';
import { existingEngine } from './engine.ts';
import { registerRecordedAppMetrics } from './metrics.ts';
import { deployEvents, deployQueues } from './queues.ts';
import { ReleasePaths } from './release.ts';
import { DeployRepository } from './repository.ts';
import { registerAppRouting } from './routing.ts';
import { registerDeployRoutes } from './routes.ts';
import { DeployService } from './service.ts';

/** Deploy: builds a project's repository and runs it, sandboxed and limited, at /apps/<slug>/. */
export const deployModule: AulaModule = {
  name: 'deploy',
  queues: deployQueues,
  events: deployEvents,
  migrations: { schema: 'deploy', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },

  async routes(app, ctx) {
    const db = createKysely<DeployDb>(ctx.pool);
    const settings = deploySettings.get(ctx.config);
    const service = new DeployService(db, projectLookup(ctx), ctx.queues, settings);
    const repo = new DeployRepository(db);
    registerRecordedAppMetrics(() => repo.apps());
    await app.register(async (scope) => registerDeployRoutes(scope, ctx.auth, service, ctx.jwtSecret));
    await app.register(async (scope) => registerAppRouting(scope, repo, new ReleasePaths(ctx.config.dataDir), settings.AULA_APPS_DOMAIN));
  },

  async onStop(ctx) {
    await (await existingEngine(ctx)?.catch(() => undefined))?.close();
  },
};
