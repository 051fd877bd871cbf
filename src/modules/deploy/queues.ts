import { createKysely } from '../../platform/db/pool.ts';
import type { ModuleEvents, ModuleQueues } from '../../platform/module.ts';
import { deploySettings } from './config.ts';
import type { DeployDb } from './db.ts';
import { engineOf } from './engine.ts';
import { DeployRepository } from './repository.ts';

/** Deploy's job payloads, by queue. */
export interface DeployQueuePayloads {
  /** Fetch, build, start and health-check one deployment, then switch the app's route to it. */
  'deploy.build': { deploymentId: string };
}

/** A request to the process that runs builds and apps (cancel a build, stop/start/restart an app). */
export type DeployControl = {
  eventName: 'deployment.cancel' | 'app.control';
  projectId: string;
  deploymentId?: string;
  action?: 'stop' | 'start' | 'restart';
};

/** The event streams deploy publishes (to itself, across processes). */
export interface DeployEventStreams {
  'deploy.events': DeployControl;
}

declare module '../../platform/queue/definitions.ts' {
  interface QueuePayloads extends DeployQueuePayloads {}
  interface EventStreams extends DeployEventStreams {}
}

/** Deploy's queue: settings and handler. */
export const deployQueues: ModuleQueues<DeployQueuePayloads> = {
  'deploy.build': {
    spec: {
      // A failed deploy states its reason and is not retried by itself; the stage limits are the deploy settings'.
      attempts: 1,
      backoff: { type: 'fixed', delayMs: 1000 },
      timeoutMs: 3 * 3600_000,
      concurrency: 1, // overridden by AULA_DEPLOY_CONCURRENCY
      keepCompleted: { count: 1000, ageSeconds: 24 * 3600 },
      keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
    },
    handler: (ctx) => {
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
    concurrency: (config) => deploySettings.get(config).AULA_DEPLOY_CONCURRENCY,
  },
};

/** Deploy's event streams and the events on each. */
export const deployEvents: ModuleEvents<DeployEventStreams> = {
  'deploy.events': ['deployment.cancel', 'app.control'],
};
