import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UnrecoverableError } from 'bullmq';
import { isAlive } from '../../platform/ids.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { AulaJob } from '../../platform/queue/backend.ts';
import type { JobHandler } from '../../platform/queue/worker.ts';
import { locateBinaries } from './binaries.ts';
import { InvalidVideoError, probe } from './probe.ts';
import { ImportError, downloadTo } from './remote-fetch.ts';
import { announce } from './task-feed.ts';
import { fileKeys, TaskRepository, type TaskRow } from './tasks.ts';
import { contentSeconds, renderArgs, runFfmpeg, type RenderSettings } from './transcode.ts';

const CANCEL_POLL_MS = 300;
const PROGRESS_EVERY_MS = 500;

class TaskCancelledError extends Error {
  override name = 'TaskCancelledError';
}

/** Watches the task row while it runs: aborts when it is cancelled or deleted, and records progress. */
function watchTask(tasks: TaskRepository, ctx: ModuleContext, task: TaskRow, job: AulaJob<'media.process'>, jobSignal: AbortSignal) {
  const cancel = new AbortController();
  const signal = AbortSignal.any([jobSignal, cancel.signal]);
  let percent = 0;
  let reported = -1;
  let lastReport = 0;
  const timer = setInterval(async () => {
    try {
      const now = Date.now();
      if (percent !== reported && now - lastReport >= PROGRESS_EVERY_MS) {
        reported = percent;
        lastReport = now;
        if (!(await tasks.progress(task.id, percent))) cancel.abort(new TaskCancelledError('the task was cancelled'));
        else await Promise.all([announce(ctx.pool, { ...task, status: 'processing', progress: percent }), job.updateProgress(percent)]);
      } else {
        const current = await tasks.get(task.id);
        if (!current || current.status !== 'processing') cancel.abort(new TaskCancelledError('the task was cancelled'));
      }
    } catch (error) {
      ctx.log.warn({ taskId: task.id, err: (error as Error).message }, 'task watch failed');
    }
  }, CANCEL_POLL_MS);
  return {
    signal,
    setProgress: (value: number) => void (percent = value),
    stop: () => clearInterval(timer),
  };
}

/** Removes temporary folders left by workers on this machine that died mid-job (their pid is gone). */
export async function sweepOrphanedTempDirs(): Promise<number> {
  let removed = 0;
  for (const name of await fsp.readdir(os.tmpdir())) {
    const pid = /^aula-task-[0-9a-f-]{36}-p(\d+)-/.exec(name)?.[1];
    if (!pid || isAlive(Number(pid))) continue;
    await fsp.rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Copies the original to a local file (ffprobe/ffmpeg need to seek), downloading it first for URL imports. */
async function fetchInput(ctx: ModuleContext, task: TaskRow, file: string, signal: AbortSignal): Promise<void> {
  const keys = fileKeys(task.id);
  if (task.sourceUrl && !(await ctx.storage.stat(keys.original))) {
    const media = ctx.config.media;
    await downloadTo(task.sourceUrl, file, { maxBytes: media.maxUploadBytes, timeoutMs: media.importTimeoutMs, allowHosts: media.importAllowHosts }, signal);
    await ctx.storage.put(keys.original, fs.createReadStream(file));
    return;
  }
  await pipeline(await ctx.storage.get(keys.original), fs.createWriteStream(file), { signal });
}

/**
 * The media.process handler: probe, render (one ffmpeg run: video + thumbnail),
 * store, then mark processed exactly once. Bad input fails once with a readable
 * reason; anything else (storage, a killed worker) is retried by BullMQ.
 */
export function createProcessor(ctx: ModuleContext): JobHandler<'media.process'> {
  const tasks = new TaskRepository(ctx.pool);
  const media = ctx.config.media;
  const settings: RenderSettings = { logo: media.logo, bumperSec: media.bumperSeconds, maxSec: media.maxSeconds, fit: media.fit };

  const failForGood = async (task: TaskRow, reason: string) => {
    const failed = await tasks.fail(task.id, reason);
    if (failed) {
      await announce(ctx.pool, failed);
      await ctx.queues.publish('media.events', { eventName: 'task.failed', taskId: task.id, ownerId: task.ownerId, error: reason });
    }
  };

  return async (job, jobSignal) => {
    const task = await tasks.start(job.data.taskId);
    if (!task) return { skipped: 'the task is gone, cancelled or finished' };
    await announce(ctx.pool, task);
    const binaries = await locateBinaries(media);
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `aula-task-${task.id}-p${process.pid}-`));
    const watch = watchTask(tasks, ctx, task, job, jobSignal);
    try {
      const input = path.join(dir, 'input');
      await fetchInput(ctx, task, input, watch.signal);
      const facts = await probe(binaries.ffprobe, input);
      await tasks.setInput(task.id, { durationSec: facts.durationSec, width: facts.width, height: facts.height, sizeBytes: facts.sizeBytes, container: facts.container });
      const outputs = { video: path.join(dir, 'processed.mp4'), thumbnail: path.join(dir, 'thumbnail.jpg') };
      const total = contentSeconds(facts, settings) + 2 * settings.bumperSec;
      await runFfmpeg(binaries.ffmpeg, renderArgs(input, facts, settings, outputs), total, watch.signal, watch.setProgress);
      const result = await probe(binaries.ffprobe, outputs.video);
      if (watch.signal.aborted) throw watch.signal.reason;
      const keys = fileKeys(task.id);
      await ctx.storage.put(keys.processed, fs.createReadStream(outputs.video));
      await ctx.storage.put(keys.thumbnail, fs.createReadStream(outputs.thumbnail));
      const finished = await tasks.finish(task.id, { durationSec: result.durationSec, width: result.width, height: result.height, sizeBytes: result.sizeBytes });
      if (!finished) {
        // Cancelled or deleted while storing: leave nothing behind.
        if (!(await tasks.get(task.id))) await Promise.all(Object.values(keys).map((key) => ctx.storage.delete(key)));
        return { skipped: 'cancelled while finishing' };
      }
      await announce(ctx.pool, finished);
      await ctx.queues.publish('media.events', { eventName: 'task.processed', taskId: task.id, ownerId: task.ownerId });
      return { output: finished.output };
    } catch (error) {
      if (error instanceof TaskCancelledError || watch.signal.reason instanceof TaskCancelledError) {
        // Deleted while we were writing (e.g. the downloaded original): leave nothing behind.
        if (!(await tasks.get(task.id))) await Promise.all(Object.values(fileKeys(task.id)).map((key) => ctx.storage.delete(key)));
        return { skipped: 'cancelled' };
      }
      if (error instanceof InvalidVideoError || error instanceof ImportError) {
        await failForGood(task, error.message);
        throw new UnrecoverableError(error.message);
      }
      if (jobSignal.aborted && jobSignal.reason === 'shutdown') throw error; // handed back to the queue
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await failForGood(task, 'processing failed repeatedly; see the server logs');
      throw error;
    } finally {
      watch.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  };
}
