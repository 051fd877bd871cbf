import { WaitingError } from 'bullmq';
import type { Logger } from '../logger.ts';
import { jobDuration } from '../metrics.ts';
import type { AulaJob, AulaWorker, QueueBackend } from './backend.ts';
import type { QueueName } from './definitions.ts';

/** Aula's job handler: the job, a signal aborted on cancel, timeout or shutdown, and a logger bound to the job (and its request id). */
export type JobHandler<N extends QueueName> = (job: AulaJob<N>, signal: AbortSignal, log: Logger) => Promise<unknown>;

/** Why a job's signal was aborted. */
export type AbortReason = 'timeout' | 'shutdown' | 'cancelled';

/** A running worker with Aula's graceful stop. */
export interface RunningWorker {
  readonly queue: QueueName;
  /** Stops taking jobs, waits for running ones until the deadline, then puts the rest back in the queue. */
  stop(deadlineMs: number): Promise<void>;
}

class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/**
 * Starts a worker on `queue` with the concurrency, timeout and metrics from the
 * queue table. Handlers must honour the signal they are given.
 */
export function startWorker<N extends QueueName>(
  backend: QueueBackend,
  queue: N,
  handler: JobHandler<N>,
  log: Logger,
  opts: { concurrency?: number; timeoutMs?: number; lockMs?: number } = {},
): RunningWorker {
  const spec = backend.catalog.spec(queue);
  const timeoutMs = opts.timeoutMs ?? spec.timeoutMs;
  let releasing = false;
  const worker: AulaWorker<N> = backend.bullWorker(
    queue,
    async (job, token, bullSignal) => {
      const started = process.hrtime.bigint();
      // BullMQ aborts this signal on cancelJob(); the timeout goes through the same path.
      const signal = bullSignal ?? new AbortController().signal;
      const timer = setTimeout(() => worker.cancelJob(job.id!, 'timeout' satisfies AbortReason), timeoutMs);
      let outcome = 'completed';
      const jobLog = log.child({ queue, jobId: job.id, ...(job.data.requestId ? { requestId: job.data.requestId } : {}) });
      jobLog.debug({ attempt: job.attemptsMade + 1 }, 'job started');
      try {
        const result = await handler(job, signal, jobLog);
        jobLog.debug('job completed');
        return result;
      } catch (error) {
        if (releasing && token) {
          // Shutdown deadline passed: hand the job back without spending an attempt.
          outcome = 'released';
          await job.moveToWait(token);
          throw new WaitingError();
        }
        if (signal.aborted && signal.reason === 'timeout') {
          outcome = 'timeout';
          throw new JobTimeoutError(`job timed out after ${timeoutMs} ms`);
        }
        outcome = 'failed';
        throw error;
      } finally {
        clearTimeout(timer);
        jobDuration.observe({ queue, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
    { concurrency: opts.concurrency ?? spec.concurrency, lockMs: opts.lockMs ?? 30_000 },
  );
  worker.on('failed', (job, error) =>
    log.warn(
      { queue, jobId: job?.id, attempt: job?.attemptsMade, err: error.message, ...(job?.data.requestId ? { requestId: job.data.requestId } : {}) },
      'job failed',
    ),
  );
  return {
    queue,
    async stop(deadlineMs) {
      const closing = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), deadlineMs);
      });
      const result = await Promise.race([closing.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (result === 'done') return;
      log.warn({ queue }, 'shutdown deadline reached: releasing running jobs back to the queue');
      releasing = true;
      worker.cancelAllJobs('shutdown' satisfies AbortReason);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
      await Promise.race([closing, grace]);
      await worker.close(true);
    },
  };
}
