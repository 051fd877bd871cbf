import { fileURLToPath } from 'node:url';
import type { AulaModule } from '../../platform/module.ts';
import { mediaEvents, mediaQueues } from './queues.ts';
import { registerTaskRoutes } from './routes.ts';
import { TaskService } from './service.ts';
import { TaskFeed } from './task-feed.ts';
import { MEDIA_OUTBOX } from './tasks.ts';
import { registerTusUploads } from './tus-upload.ts';

/** Media: video tasks uploaded or imported, processed by workers with ffmpeg, streamed back. */
export const mediaModule: AulaModule = {
  name: 'media',
  migrations: { schema: 'media', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },
  outboxes: [MEDIA_OUTBOX],

  async routes(app, ctx) {
    const feed = new TaskFeed(ctx.databaseUrl, ctx.log);
    app.addHook('onClose', () => feed.close());
    const service = new TaskService(ctx);
    await app.register(async (scope) => registerTaskRoutes(scope, ctx, service, feed));
    await registerTusUploads(app, ctx, service);
  },

  queues: mediaQueues,
  events: mediaEvents,
};
