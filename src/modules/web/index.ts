import type { AulaModule } from '../../platform/module.ts';
import { registerWebApp, WEB_DIST_DIR } from './serve.ts';

/** Web: the built React app (web/dist) at `/`, with client routes falling back to index.html. */
export const webModule: AulaModule = {
  name: 'web',
  async routes(app, ctx) {
    await app.register(async (scope) => registerWebApp(scope, ctx.log, WEB_DIST_DIR));
  },
};
