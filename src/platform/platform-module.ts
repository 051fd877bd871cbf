import { fileURLToPath } from 'node:url';
import type { AulaModule } from './module.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';

/** The platform's own schema (process registry), its admin pages (processes, queue dashboard) and the diagnostic no-op queue. */
export const platformModule: AulaModule = {
  name: 'platform',
  migrations: { schema: 'platform', dir: fileURLToPath(new URL('./db/migrations', import.meta.url)) },
  async routes(app, ctx) {
    await app.register(async (scope) => registerAdminRoutes(scope, ctx));
  },
  handlers: {
    'platform.noop': () => async (job) => ({ seq: job.data.seq }),
  },
};
