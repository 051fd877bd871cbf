import { fileURLToPath } from 'node:url';
import type { AulaModule } from '../../platform/module.ts';
import { locateBinaries } from './binaries.ts';
import { createProcessor, sweepOrphanedTempDirs } from './processor.ts';
import { createReconciler } from './reconcile.ts';
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

  handlers: {
    'media.process': (ctx) => {
      void locateBinaries(ctx.config.media).then(
        (b) => ctx.log.info({ ffmpeg: b.ffmpeg, ffprobe: b.ffprobe, source: b.source, version: b.version }, 'ffmpeg in use'),
        (error: Error) => ctx.log.error({ err: error.message }, 'no usable ffmpeg found'),
      );
      void sweepOrphanedTempDirs().then(
        (swept) => ctx.log.info(swept, 'cleanup of dead workers: temporary folders removed, orphaned ffmpeg processes killed'),
        (error: Error) => ctx.log.warn({ err: error.message }, 'cleanup of dead workers failed'),
      );
      return createProcessor(ctx);
    },
    'media.reconcile': createReconciler,
  },

  concurrency: (config) => ({ 'media.process': config.media.concurrency }),
};
