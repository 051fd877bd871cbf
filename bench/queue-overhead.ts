import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createPostgresBackend, createRedisBackend, runMigrations, withBackend } from 'bullmq';
import { createLogger } from '../src/platform/logger.ts';
import { createPostgresQueueBackend, createRedisQueueBackend, type QueueBackend } from '../src/platform/queue/backend.ts';
import { startWorker } from '../src/platform/queue/worker.ts';
import { platformModule, platformQueues } from '../src/platform/platform-module.ts';
import { QueueCatalog } from '../src/platform/queue/catalog.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const JOBS = 2000;
const CONCURRENCY = 8;
const ROUNDS = 5;
const log = createLogger('silent');

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** No-op jobs through Aula's queue layer (typed queue, startWorker with timeout and metrics). */
async function throughAula(backend: QueueBackend): Promise<number> {
  let processed = 0;
  const worker = startWorker(backend, 'platform.noop', async () => void processed++, log, { concurrency: CONCURRENCY });
  const queue = backend.queue('platform.noop');
  const started = performance.now();
  await queue.addBulk(Array.from({ length: JOBS }, (_, seq) => ({ name: 'noop', data: { seq } })));
  await until(() => processed >= JOBS);
  const seconds = (performance.now() - started) / 1000;
  await worker.stop(5000);
  await queue.obliterate({ force: true });
  return JOBS / seconds;
}

type RawClasses = ReturnType<typeof withBackend>;

/** The same jobs through bare BullMQ classes on the same backend, with the same job options. */
async function throughBullMq(classes: RawClasses, connection: unknown, name: string, prefix?: string): Promise<number> {
  let processed = 0;
  const opts = { connection: connection as never, ...(prefix ? { prefix } : {}) };
  const spec = platformQueues['platform.noop'].spec;
  const defaultJobOptions = {
    attempts: spec.attempts,
    backoff: { type: spec.backoff.type, delay: spec.backoff.delayMs },
    removeOnComplete: { count: spec.keepCompleted.count, age: spec.keepCompleted.ageSeconds },
    removeOnFail: { count: spec.keepFailed.count, age: spec.keepFailed.ageSeconds },
  };
  const queue = new classes.Queue(name, { ...opts, defaultJobOptions });
  const worker = new classes.Worker(name, async () => void processed++, { ...opts, concurrency: CONCURRENCY });
  worker.on('error', () => undefined); // as Aula's layer does (it logs them); BullMQ retries the failed call
  const started = performance.now();
  await queue.addBulk(Array.from({ length: JOBS }, (_, seq) => ({ name: 'noop', data: { seq } })));
  await until(() => processed >= JOBS);
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return JOBS / seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Jobs per second (median of 5 rounds), Aula's layer next to raw BullMQ, on PostgreSQL and (when present) Redis. */
export async function queueOverhead(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const rows: BenchRow[] = [];
  try {
    const pool = new pg.Pool({ connectionString: backends.databaseUrl, max: 20, options: '-c search_path=bullmq' });
    const client = await pool.connect();
    await runMigrations(client);
    client.release();
    const aulaPg = createPostgresQueueBackend(backends.databaseUrl, new QueueCatalog([platformModule]), log);
    const pgClasses = withBackend(createPostgresBackend) as unknown as RawClasses;
    const ours: number[] = [];
    const base: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which runs first, so warm-up and drift do not favour either side.
      if (round % 2 === 0) base.push(await throughBullMq(pgClasses, pool, `raw.noop.${round}`));
      ours.push(await throughAula(aulaPg));
      if (round % 2 === 1) base.push(await throughBullMq(pgClasses, pool, `raw.noop.${round}`));
    }
    await aulaPg.close();
    await pool.end();
    rows.push({
      case: `${JOBS} no-op jobs, concurrency ${CONCURRENCY}, PostgreSQL`,
      unit: 'jobs/s',
      ours: median(ours),
      baseline: median(base),
      baselineName: 'raw BullMQ Queue+Worker',
      higherIsBetter: true,
    });

    if (backends.redisUrl) {
      const prefix = `aula-bench-${randomBytes(4).toString('hex')}`;
      const redis = new Redis(backends.redisUrl, { maxRetriesPerRequest: null });
      const aulaRedis = createRedisQueueBackend(backends.redisUrl, prefix, new QueueCatalog([platformModule]), log);
      const redisClasses = withBackend(createRedisBackend) as unknown as RawClasses;
      const oursR: number[] = [];
      const baseR: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) baseR.push(await throughBullMq(redisClasses, redis, `raw.noop.${round}`, prefix));
        oursR.push(await throughAula(aulaRedis));
        if (round % 2 === 1) baseR.push(await throughBullMq(redisClasses, redis, `raw.noop.${round}`, prefix));
      }
      await aulaRedis.close();
      redis.disconnect();
      rows.push({
        case: `${JOBS} no-op jobs, concurrency ${CONCURRENCY}, Redis`,
        unit: 'jobs/s',
        ours: median(oursR),
        baseline: median(baseR),
        baselineName: 'raw BullMQ Queue+Worker',
        higherIsBetter: true,
      });
    }
  } finally {
    await backends.close();
  }
  return rows;
}
