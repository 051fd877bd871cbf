import { fileURLToPath } from 'node:url';
import type { AulaModule, ModuleContext } from '../../platform/module.ts';
import { scheduleHousekeeping } from '../../platform/housekeeping/schedule.ts';
import { createAdmin } from './admin.ts';
import { AccountService } from './account-service.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { reportProjectionLag } from './metrics.ts';
import { projectionLag, rebuildReadModel } from './projector.ts';
import { identityQueues } from './queues.ts';
import { createIdentity } from './service.ts';
import { registerUserRoutes } from './user-routes.ts';
import { IDENTITY_JOB_OUTBOX } from './users.ts';
import { identitySettings } from './config.ts';

/** Creates the first admin from AULA_ADMIN_EMAIL/AULA_ADMIN_PASSWORD when there is no admin yet. */
async function bootstrapAdmin(ctx: ModuleContext): Promise<void> {
  const wanted = identitySettings.get(ctx.config).bootstrapAdmin;
  if (!wanted) return;
  const identity = createIdentity(ctx);
  const existing = await identity.db.selectFrom('identity.users').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst();
  if (existing) return;
  try {
    const { user, created } = await createAdmin(identity, wanted);
    ctx.log.info({ userId: user.id, created }, 'first admin set up from AULA_ADMIN_EMAIL');
  } catch (error) {
    // Another process starting at the same moment may have created it.
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
}

/** Identity: accounts, tokens, roles; commands write `users` + outbox, queries read `user_directory`. */
export const identityModule: AulaModule = {
  name: 'identity',
  migrations: { schema: 'identity', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },
  outboxes: [IDENTITY_JOB_OUTBOX],

  async routes(app, ctx) {
    const identity = createIdentity(ctx);
    const stopReporting = reportProjectionLag(() => projectionLag(identity.db));
    app.addHook('onClose', async () => void stopReporting());
    const accounts = new AccountService(identity);
    await app.register(async (scope) => {
      await registerAuthRoutes(scope, ctx, identity, accounts);
      registerUserRoutes(scope, ctx, identity, accounts);
    });
  },

  queues: identityQueues,

  async onStart(ctx) {
    await bootstrapAdmin(ctx);
    await scheduleHousekeeping(ctx.queues, 'identity.housekeeping', ctx.config.housekeepingIntervalSeconds);
    // Catch up on events whose projector job was lost (e.g. a crash between commit and enqueue).
    await createIdentity(ctx).notifyProjector('startup');
  },

  commands: {
    async 'rebuild-read-model'(ctx) {
      const replayed = await rebuildReadModel(createIdentity(ctx).db);
      return `user_directory rebuilt from ${replayed} outbox events`;
    },
    async 'create-admin'(ctx, flags) {
      if (!flags.email || !flags.password) throw new Error('give --email and --password');
      const { user, created } = await createAdmin(createIdentity(ctx), {
        email: flags.email,
        password: flags.password,
        ...(flags.username ? { username: flags.username } : {}),
      });
      return `${created ? 'created admin' : 'made admin'} ${user.username} <${user.email}> (${user.id})`;
    },
  },
};
