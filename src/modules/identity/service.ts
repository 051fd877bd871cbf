import type { ModuleContext } from '../../platform/module.ts';
import { createKysely } from '../../platform/db/pool.ts';
import type { IdentityDb } from './db.ts';
import { UserDirectory } from './directory.ts';
import { Sessions } from './sessions.ts';
import { UserCommands } from './users.ts';
import { identitySettings } from './config.ts';

/** The identity services over one context: commands, queries, sessions, and the projector trigger. */
export interface Identity {
  db: ReturnType<typeof createKysely<IdentityDb>>;
  users: UserCommands;
  directory: UserDirectory;
  sessions: Sessions;
  /** Asks a worker to bring the read model up to date now (start-up catch-up; commands wake it through identity.job_outbox). */
  notifyProjector(reason: string): Promise<void>;
}

/** Wires the identity services for one process. */
export function createIdentity(ctx: ModuleContext): Identity {
  const db = createKysely<IdentityDb>(ctx.pool);
  return {
    db,
    users: new UserCommands(db),
    directory: new UserDirectory(db),
    sessions: new Sessions(db, ctx.jwtSecret, identitySettings.get(ctx.config).accessTokenTtlSeconds, identitySettings.get(ctx.config).refreshTokenTtlDays),
    async notifyProjector(reason) {
      try {
        await ctx.queues.queue('identity.project').add('project', { reason });
      } catch (error) {
        ctx.log.warn({ err: error instanceof Error ? error.message : String(error), reason }, 'could not enqueue the identity projector');
      }
    },
  };
}
