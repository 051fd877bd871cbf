import fs from 'node:fs';
import { mediaSettings } from './config.ts';
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
import { classifyFailure } from './failures.ts';
import { FFMPEG_PID_FILE, killOrphanedFfmpeg } from './ffmpeg-process.ts';
import { InvalidVideoError, probe } from './probe.ts';
import { downloadTo } from './remote-fetch.ts';
import { announce } from './task-feed.ts';
import { TaskSignals } from './task-signals.ts';
import { fileKeys, TaskRepository, type TaskRow } from './tasks.ts';
import { contentSeconds, firstFrameThumbnailArgs, renderArgs, runFfmpeg, type RenderSettings } from './transcode.ts';

const PROGRESS_EVERY_MS = 500;

class TaskCancelledError extends Error {
  override name = 'TaskCancelledError';
}

/**
 * Watches a task while it runs: aborts when a notification says it was
 * cancelled or deleted (no polling), and records progress at most every 500 ms.
 */
async function watchTask(
  tasks: TaskRepository,
  signals: TaskSignals,
  ctx: ModuleContext,
  task: TaskRow,
  job: AulaJob<'media.process'>,
  jobSignal: AbortSignal,
) {
  const cancel = new AbortController();
  const signal = AbortSignal.any([jobSignal, cancel.signal]);
  const cancelled = () => cancel.abort(new TaskCancelledError('the task was cancelled'));
  const stopWatching = await signals.watch(task.id, (change) => {
    if (change) {
      if (change.status !== 'processing') cancelled();
      return;
    }
    // Reconnected: a notification may have been missed, so look once.
    void tasks.get(task.id).then(
      (current) => current?.status !== 'processing' && cancelled(),
      () => undefined,
    );
  });
  let percent = 0;
  let reported = 0;
  const timer = setInterval(async () => {
    if (percent === reported) return;
    reported = percent;
    try {
      if (!(await tasks.progress(task.id, percent))) cancelled();
      else await Promise.all([announce(ctx.pool, { ...task, status: 'processing', progress: percent }), job.updateProgress(percent)]);
    } catch (error) {
      ctx.log.warn({ taskId: task.id, err: (error as Error).message }, 'task progress update failed');
    }
  }, PROGRESS_EVERY_MS);
  return {
    signal,
    setProgress: (value: number) => {
      percent = value;
    },
    stop: () => {
      clearInterval(timer);
      stopWatching();
    },
  };
}

/**
 * Removes temporary folders left by workers on this machine that died mid-job
 * (their pid is gone), first killing the ffmpeg such a worker left running.
 */
export async function sweepOrphanedTempDirs(): Promise<{ removed: number; orphansKilled: number }> {
  let removed = 0;
  let orphansKilled = 0;
  for (const name of await fsp.readdir(os.tmpdir())) {
    const pid = /^aula-task-[0-9a-f-]{36}-p(\d+)-/.exec(name)?.[1];
    if (!pid || isAlive(Number(pid))) continue;
    const dir = path.join(os.tmpdir(), name);
    if (await killOrphanedFfmpeg(dir)) orphansKilled++;
    await fsp.rm(dir, { recursive: true, force: true });
    removed++;
  }
  return { removed, orphansKilled };
}

/** Copies the original to a local file (ffprobe/ffmpeg need to seek), downloading it first for URL imports. */
async function fetchInput(ctx: ModuleContext, task: TaskRow, file: string, signal: AbortSignal): Promise<void> {
  const keys = fileKeys(task.id);
  if (task.sourceUrl && !(await ctx.storage.stat(keys.original))) {
    const media = mediaSettings.get(ctx.config);
    await downloadTo(task.sourceUrl, file, { maxBytes: media.maxUploadBytes, timeoutMs: media.importTimeoutMs, allowHosts: media.importAllowHosts }, signal);
    await ctx.storage.put(keys.original, fs.createReadStream(file));
    return;
  }
  await pipeline(await ctx.storage.get(keys.original), fs.createWriteStream(file), { signal });
}

/** True when the file exists and is not empty. */
async function written(file: string): Promise<boolean> {
  return ((await fsp.stat(file).catch(() => undefined))?.size ?? 0) > 0;
}

/**
 * The media.process handler: probe, render (one ffmpeg run: video + thumbnail),
 * store, then mark processed exactly once. Every error ends the attempt with a
 * user-safe reason (see classifyFailure): bad input fails once, for good;
 * transient trouble (disk, database, a killed worker) is retried by BullMQ and
 * the reason is stored when the attempts run out.
 */
export function createProcessor(ctx: ModuleContext): JobHandler<'media.process'> {
  const tasks = new TaskRepository(ctx.pool);
  const signals = new TaskSignals(ctx.databaseUrl, ctx.log);
  const media = mediaSettings.get(ctx.config);
  const settings: RenderSettings = { logo: media.logo, bumperSec: media.bumperSeconds, maxSec: media.maxSeconds, fit: media.fit };

  const failForGood = async (task: TaskRow, reason: string) => {
    const failed = await tasks.fail(task.id, reason);
    if (failed) await announce(ctx.pool, failed); // the event for other modules is in the outbox with the change
  };

  const render = async (task: TaskRow, dir: string, signal: AbortSignal, setProgress: (p: number) => void) => {
    const binaries = await locateBinaries(media);
    const recordPid = (pid: number) => fs.writeFileSync(path.join(dir, FFMPEG_PID_FILE), String(pid));
    const input = path.join(dir, 'input');
    await fetchInput(ctx, task, input, signal);
    const facts = await probe(binaries.ffprobe, input);
    await tasks.setInput(task.id, {
      durationSec: facts.durationSec,
      width: facts.width,
      height: facts.height,
      sizeBytes: facts.sizeBytes,
      container: facts.container,
    });
    const outputs = { video: path.join(dir, 'processed.mp4'), thumbnail: path.join(dir, 'thumbnail.jpg') };
    const total = contentSeconds(facts, settings) + 2 * settings.bumperSec;
    await runFfmpeg(binaries.ffmpeg, renderArgs(input, facts, settings, outputs), total, signal, setProgress, recordPid);
    if (!(await written(outputs.video))) throw new InvalidVideoError('the video is corrupt (no output could be made from it)');
    if (!(await written(outputs.thumbnail))) {
      // ffmpeg exits 0 without a thumbnail when nothing decodes at the usual offset: take the first frame that does.
      await runFfmpeg(binaries.ffmpeg, firstFrameThumbnailArgs(input, outputs.thumbnail), 0, signal, () => undefined, recordPid);
      if (!(await written(outputs.thumbnail))) throw new InvalidVideoError('the video is corrupt (no frame of it could be decoded)');
    }
    return { outputs, result: await probe(binaries.ffprobe, outputs.video) };
  };

  const removeFilesIfGone = async (taskId: string) => {
    if (!(await tasks.get(taskId))) await Promise.all(Object.values(fileKeys(taskId)).map((key) => ctx.storage.delete(key)));
  };

  return async (job, jobSignal) => {
    const task = await tasks.start(job.data.taskId).catch((error: unknown) => {
      ctx.log.warn({ taskId: job.data.taskId, err: error instanceof Error ? error.message : String(error) }, 'media task could not start');
      throw new Error(classifyFailure(error).reason, { cause: error }); // failedReason stays user-safe
    });
    if (!task) return { skipped: 'the task is gone, cancelled or finished' };
    let dir: string | undefined;
    let watch: Awaited<ReturnType<typeof watchTask>> | undefined;
    try {
      await announce(ctx.pool, task);
      dir = await fsp.mkdtemp(path.join(os.tmpdir(), `aula-task-${task.id}-p${process.pid}-`));
      watch = await watchTask(tasks, signals, ctx, task, job, jobSignal);
      const { outputs, result } = await render(task, dir, watch.signal, watch.setProgress);
      if (watch.signal.aborted) throw watch.signal.reason;
      const keys = fileKeys(task.id);
      await ctx.storage.put(keys.processed, fs.createReadStream(outputs.video));
      await ctx.storage.put(keys.thumbnail, fs.createReadStream(outputs.thumbnail));
      const finished = await tasks.finish(task.id, {
        durationSec: result.durationSec,
        width: result.width,
        height: result.height,
        sizeBytes: result.sizeBytes,
      });
      if (!finished) {
        await removeFilesIfGone(task.id); // cancelled or deleted while storing: leave nothing behind
        return { skipped: 'cancelled while finishing' };
      }
      await announce(ctx.pool, finished);
      return { output: finished.output };
    } catch (error) {
      if (error instanceof TaskCancelledError || watch?.signal.reason instanceof TaskCancelledError) {
        await removeFilesIfGone(task.id); // deleted while we were writing (e.g. the downloaded original)
        return { skipped: 'cancelled' };
      }
      if (jobSignal.aborted && jobSignal.reason === 'shutdown') throw error; // handed back to the queue
      const verdict = classifyFailure(error);
      const last = verdict.permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      ctx.log.warn(
        { taskId: task.id, attempt: job.attemptsMade + 1, last, reason: verdict.reason, err: error instanceof Error ? error.message : String(error) },
        'media task attempt failed',
      );
      // If this write fails too, the reconciler stores the reason later from the job's failedReason: the same user-safe text.
      if (last) await failForGood(task, verdict.reason).catch((e: Error) => ctx.log.warn({ taskId: task.id, err: e.message }, 'could not record the failure'));
      if (verdict.permanent) throw new UnrecoverableError(verdict.reason);
      throw new Error(verdict.reason, { cause: error });
    } finally {
      watch?.stop();
      if (dir) await fsp.rm(dir, { recursive: true, force: true });
    }
  };
}
