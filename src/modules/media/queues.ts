import type { ModuleEvents, ModuleQueues } from '../../platform/module.ts';
import { locateBinaries } from './binaries.ts';
import { mediaSettings } from './config.ts';
import { createProcessor, sweepOrphanedTempDirs } from './processor.ts';
import { createReconciler } from './reconcile.ts';

/** Media's job payloads, by queue. */
export interface MediaQueuePayloads {
  /** Process one video task (probe, render, thumbnail). */
  'media.process': { taskId: string };
  /** Give every unfinished task a live job and carry finished jobs' outcomes to their tasks (at start and on a schedule). */
  'media.reconcile': { reason: 'start' | 'schedule' };
}

/** A task reached its end: what media tells other modules (consumers import this type). */
export type TaskFinished = {
  eventName: 'task.processed' | 'task.failed';
  taskId: string;
  ownerId: string;
  error?: string;
  requestId?: string;
  /** The outbox row's id: a subscriber that sees one twice can tell. */
  eventId?: string;
};

/** The event streams media publishes. */
export interface MediaEventStreams {
  'media.events': TaskFinished;
}

declare module '../../platform/queue/definitions.ts' {
  interface QueuePayloads extends MediaQueuePayloads {}
  interface EventStreams extends MediaEventStreams {}
}

/** Media's queues: settings and handlers. */
export const mediaQueues: ModuleQueues<MediaQueuePayloads> = {
  'media.process': {
    spec: {
      attempts: 3,
      backoff: { type: 'exponential', delayMs: 2000 },
      timeoutMs: 15 * 60_000,
      concurrency: 1, // overridden by AULA_MEDIA_CONCURRENCY
      keepCompleted: { count: 1000, ageSeconds: 24 * 3600 },
      keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
    },
    handler: (ctx) => {
      void locateBinaries(mediaSettings.get(ctx.config)).then(
        (b) => ctx.log.info({ ffmpeg: b.ffmpeg, ffprobe: b.ffprobe, source: b.source, version: b.version }, 'ffmpeg in use'),
        (error: Error) => ctx.log.error({ err: error.message }, 'no usable ffmpeg found'),
      );
      void sweepOrphanedTempDirs().then(
        (swept) => ctx.log.info(swept, 'cleanup of dead workers: temporary folders removed, orphaned ffmpeg processes killed'),
        (error: Error) => ctx.log.warn({ err: error.message }, 'cleanup of dead workers failed'),
      );
      return createProcessor(ctx);
    },
    concurrency: (config) => mediaSettings.get(config).concurrency,
  },
  'media.reconcile': {
    spec: {
      attempts: 1,
      backoff: { type: 'fixed', delayMs: 1000 },
      timeoutMs: 5 * 60_000,
      concurrency: 1,
      keepCompleted: { count: 10, ageSeconds: 3600 },
      keepFailed: { count: 100, ageSeconds: 7 * 24 * 3600 },
    },
    handler: createReconciler,
  },
};

/** Media's event streams and the events on each. */
export const mediaEvents: ModuleEvents<MediaEventStreams> = {
  'media.events': ['task.processed', 'task.failed'],
};
