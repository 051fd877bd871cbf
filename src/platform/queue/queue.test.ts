import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { createPool } from '../db/pool.ts';
import { runMigrations } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { createPostgresQueueBackend, createRedisQueueBackend, type AulaQueue, type QueueBackend } from './backend.ts';
import { startWorker, type JobHandler, type RunningWorker } from './worker.ts';
import { platformModule } from '../platform-module.ts';
import { QueueCatalog } from './catalog.ts';

const log = createLogger('silent');
const redisUrl = inject('redisUrl');
const backends = [
  { kind: 'postgres', enabled: true },
  { kind: 'redis', enabled: Boolean(redisUrl) },
] as const;

async function waitForState(queue: AulaQueue<'platform.noop'>, id: string, states: string[], timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let state = 'unknown';
  while (Date.now() < deadline) {
    state = (await (await queue.getJob(id))?.getState()) ?? 'missing';
    if (states.includes(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${id} still ${state} after ${timeoutMs} ms`);
}

describe.each(backends)('queue layer on $kind', ({ kind, enabled }) => {
  let db: TestDatabase | undefined;
  let backend: QueueBackend;
  let queue: AulaQueue<'platform.noop'>;
  const workers: RunningWorker[] = [];

  const run = (handler: JobHandler<'platform.noop'>, opts: { timeoutMs?: number; concurrency?: number } = {}) => {
    const worker = startWorker(backend, 'platform.noop', handler, log, opts);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    if (!enabled) return;
    if (kind === 'postgres') {
      db = await createTestDatabase();
      backend = createPostgresQueueBackend(db.url, new QueueCatalog([platformModule]), log);
      const pool = createPool(db.url, 2, log);
      await runMigrations(pool, [], log, backend.migrate);
      await pool.end();
    } else {
      backend = createRedisQueueBackend(redisUrl!, `aula-test-${randomBytes(4).toString('hex')}`, new QueueCatalog([platformModule]), log);
    }
    queue = backend.queue('platform.noop');
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(1000)));
  });

  afterAll(async () => {
    if (!enabled) return;
    await queue.obliterate({ force: true }).catch(() => undefined);
    await backend.close();
    await db?.drop();
  });

  it.skipIf(!enabled)('answers a ping', async () => {
    await expect(backend.ping()).resolves.toBeUndefined();
  });

  it.skipIf(!enabled)('runs jobs and keeps their results', async () => {
    const worker = run(async (job) => ({ seq: job.data.seq * 2 }));
    const jobs = await queue.addBulk(Array.from({ length: 20 }, (_, seq) => ({ name: 'noop', data: { seq } })));
    for (const job of jobs) await waitForState(queue, job.id!, ['completed']);
    const values = await Promise.all(jobs.map(async (job) => (await queue.getJob(job.id!))!.returnvalue));
    expect(values).toEqual(Array.from({ length: 20 }, (_, seq) => ({ seq: seq * 2 })));
    await worker.stop(1000);
  });

  it.skipIf(!enabled)('retries a failing job with the queue table attempts', async () => {
    const worker = run(async (job) => {
      if (job.attemptsMade < 2) throw new Error(`transient failure ${job.attemptsMade}`);
      return 'finally';
    });
    const job = await queue.add('noop', { seq: 1 }, { backoff: { type: 'fixed', delay: 10 } });
    await waitForState(queue, job.id!, ['completed']);
    const done = (await queue.getJob(job.id!))!;
    expect(done.returnvalue).toBe('finally');
    expect(done.attemptsMade).toBe(3); // two failures, then the success
    await worker.stop(1000);
  });

  it.skipIf(!enabled)('fails a job that overruns its timeout, after its attempts', async () => {
    const worker = run((_job, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))), {
      timeoutMs: 100,
    });
    const job = await queue.add('noop', { seq: 2 }, { attempts: 1 });
    expect(await waitForState(queue, job.id!, ['completed', 'failed'])).toBe('failed');
    expect((await queue.getJob(job.id!))!.failedReason).toBe('job timed out after 100 ms');
    await worker.stop(1000);
  });

  it.skipIf(!enabled)('on stop, lets a running job finish within the deadline', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const worker = run(async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return 'finished';
    });
    const job = await queue.add('noop', { seq: 3 });
    await running;
    await worker.stop(5000);
    expect(await waitForState(queue, job.id!, ['completed', 'failed', 'waiting'])).toBe('completed');
  });

  it.skipIf(!enabled)('past the deadline, puts the running job back without spending an attempt', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow = run((_job, signal) => {
      started();
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
    });
    const job = await queue.add('noop', { seq: 4 });
    await running;
    await slow.stop(100);
    expect(await waitForState(queue, job.id!, ['waiting', 'failed', 'completed'])).toBe('waiting');
    expect((await queue.getJob(job.id!))!.attemptsMade).toBe(0);

    const next = run(async (j) => `picked up ${j.data.seq}`);
    await waitForState(queue, job.id!, ['completed']);
    expect((await queue.getJob(job.id!))!.returnvalue).toBe('picked up 4');
    await next.stop(1000);
  });
});
