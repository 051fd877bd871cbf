import { fileURLToPath } from 'node:url';
import { createKysely } from '../../platform/db/pool.ts';
import type { AulaModule } from '../../platform/module.ts';
import { projectLookup } from '../projects/lookup.ts';
import { deploySettings } from './config.ts';
import type { DeployDb } from './db.ts';
import { engineOf, existingEngine } from './engine.ts';
import { ReleasePaths } from './release.ts';
import { DeployRepository } from './repository.ts';
import { registerAppRouting } from './routing.ts';
import { registerDeployRoutes } from './routes.ts';
import { DeployService } from './service.ts';

/** Deploy: builds a project's repository and runs it, sandboxed and limited, at /apps/<slug>/. */
export const deployModule: AulaModule = {
  name: 'deploy',
  migrations: { schema: 'deploy', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },

  async routes(app, ctx) {
    const db = createKysely<DeployDb>(ctx.pool);
    const settings = deploySettings.get(ctx.config);
    const service = new DeployService(db, projectLookup(ctx), ctx.queues, settings);
    await app.register(async (scope) => registerDeployRoutes(scope, ctx.auth, service, ctx.jwtSecret));
    await app.register(async (scope) => registerAppRouting(scope, new DeployRepository(db), new ReleasePaths(ctx.config.dataDir), settings.AULA_APPS_DOMAIN));
  },

  handlers: {
    'deploy.build': (ctx) => {
      // The engine starts with the worker: it checks the sandbox, listens for control events and brings live apps back.
      const engine = engineOf(ctx);
      engine.catch((error: Error) => ctx.log.error({ err: error.message }, 'deploy cannot run apps on this host'));
      const repo = new DeployRepository(createKysely<DeployDb>(ctx.pool));
      return async (job, signal) => {
        const ready = await engine.catch(() => undefined);
        if (!ready) {
          // Says why on the deployment instead of leaving it queued for ever.
          await repo.advance(job.data.deploymentId, 'failed', { reason: 'this server cannot run deploys; its log says what it lacks', finished: true });
          return { state: 'failed' };
        }
        return ready.run(job.data.deploymentId, signal);
      };
    },
  },

  concurrency: (config) => ({ 'deploy.build': deploySettings.get(config).AULA_DEPLOY_CONCURRENCY }),

  async onStop(ctx) {
    await (await existingEngine(ctx)?.catch(() => undefined))?.close();
  },
};
