import pg from 'pg';
import { Redis } from 'ioredis';
import {
  createPostgresBackend,
  createRedisBackend,
  runMigrations as runBullMigrations,
  withBackend,
  type IQueueBackend,
  type Job,
  type Queue,
  type Worker,
} from 'bullmq';
import type { Logger } from '../logger.ts';
import { addQueueCountSource } from '../metrics.ts';
import { currentRequestId } from '../request-context.ts';
import type { QueueCatalog } from './catalog.ts';
import type { EventStreamName, EventStreams, JobMeta, QueueName, QueuePayloads } from './definitions.ts';

/** A BullMQ queue carrying the payload of queue N, on either backend. */
export type AulaQueue<N extends QueueName> = Queue<
  QueuePayloads[N] & JobMeta,
  unknown,
  string,
  QueuePayloads[N] & JobMeta,
  unknown,
  string,
  IQueueBackend,
  unknown
>;
/** A BullMQ job of queue N. */
export type AulaJob<N extends QueueName> = Job<QueuePayloads[N] & JobMeta, unknown, string>;
/** A BullMQ worker on queue N. */
export type AulaWorker<N extends QueueName> = Worker<QueuePayloads[N] & JobMeta, unknown, string, IQueueBackend>;
/** BullMQ's processor signature for queue N. */
export type BullProcessor<N extends QueueName> = (job: AulaJob<N>, token?: string, signal?: AbortSignal) => Promise<unknown>;

/** Which store BullMQ runs on. */
export type BackendKind = 'postgres' | 'redis';

/** Makes queues and workers on the configured backend; one per process. */
export interface QueueBackend {
  readonly kind: BackendKind;
  /** The installed modules' queues and event streams. */
  readonly catalog: QueueCatalog;
  /** The queue object for a name (one shared instance per name). */
  queue<N extends QueueName>(name: N): AulaQueue<N>;
  /** A raw BullMQ worker; use startWorker() for Aula's timeouts, metrics and shutdown. */
  bullWorker<N extends QueueName>(name: N, processor: BullProcessor<N>, opts: { concurrency: number; lockMs: number }): AulaWorker<N>;
  /** Publishes an event for other modules on a stream. */
  publish<S extends EventStreamName>(stream: S, event: EventStreams[S]): Promise<void>;
  /** Calls `listener` for each event published on the stream from now on; returns a function that stops it. */
  subscribe<S extends EventStreamName>(stream: S, listener: (event: EventStreams[S]) => void): Promise<() => Promise<void>>;
  /** BullMQ's own schema migrations (PostgreSQL backend only), on a dedicated session. */
  migrate(client: pg.PoolClient): Promise<void>;
  /** Throws unless the backend answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

function jobDefaults(catalog: QueueCatalog, name: QueueName) {
  const spec = catalog.spec(name);
  return {
    attempts: spec.attempts,
    backoff: { type: spec.backoff.type, delay: spec.backoff.delayMs },
    removeOnComplete: { count: spec.keepCompleted.count, age: spec.keepCompleted.ageSeconds },
    removeOnFail: { count: spec.keepFailed.count, age: spec.keepFailed.ageSeconds },
  };
}

/** Makes every add on this queue carry the current request id (when it runs for a request) in the job data. */
function stampRequestIds(queue: AulaQueue<QueueName>): void {
  const stamp = <T extends JobMeta>(data: T): T => {
    const requestId = currentRequestId();
    return requestId && data.requestId === undefined ? { ...data, requestId } : data;
  };
  const add = queue.add.bind(queue);
  const addBulk = queue.addBulk.bind(queue);
  queue.add = (name, data, opts) => add(name, stamp(data), opts);
  queue.addBulk = (jobs) => addBulk(jobs.map((job) => ({ ...job, data: stamp(job.data) })));
}

interface Closable {
  close(): Promise<void>;
}

interface Classes {
  QueueEventsProducer: new (
    name: string,
    opts: { connection: unknown; prefix?: string },
  ) => Closable & {
    publishEvent(event: { eventName: string }, maxEvents?: number): Promise<void>;
  };
  QueueEvents: new (
    name: string,
    opts: { connection: unknown; prefix?: string; autorun?: boolean },
  ) => Closable & {
    on(event: string, listener: (args: Record<string, unknown>) => void): void;
    waitUntilReady(): Promise<void>;
  };
  Queue: new (name: string, opts: { connection: unknown; defaultJobOptions: object; prefix?: string }) => unknown;
  Worker: new (
    name: string,
    processor: unknown,
    opts: { connection: unknown; concurrency: number; lockDuration: number; stalledInterval: number; prefix?: string },
  ) => unknown;
}

/** The connections BullMQ objects get: producers (queues, event producers) may differ from consumers. */
interface Connections {
  producer: () => unknown;
  consumer: () => unknown;
}

function build(
  kind: BackendKind,
  catalog: QueueCatalog,
  classes: Classes,
  connections: Connections,
  prefix: string | undefined,
  extra: Pick<QueueBackend, 'migrate' | 'ping'> & { closeConnections(): Promise<void> },
  log: Logger,
): QueueBackend {
  const queues = new Map<QueueName, AulaQueue<QueueName>>();
  const producers = new Map<EventStreamName, InstanceType<Classes['QueueEventsProducer']>>();
  const prefixed = prefix ? { prefix } : {};
  const workers = new Set<{ close(force?: boolean): Promise<void> }>();
  const unregister = addQueueCountSource(async () => {
    const rows: Array<{ queue: string; state: string; count: number }> = [];
    for (const [name, queue] of queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'failed', 'delayed', 'completed', 'prioritized');
      for (const [state, count] of Object.entries(counts)) rows.push({ queue: name, state, count });
    }
    return rows;
  });
  return {
    kind,
    catalog,
    queue<N extends QueueName>(name: N): AulaQueue<N> {
      let queue = queues.get(name);
      if (!queue) {
        queue = new classes.Queue(name, {
          connection: connections.producer(),
          defaultJobOptions: jobDefaults(catalog, name),
          ...(prefix ? { prefix } : {}),
        }) as AulaQueue<QueueName>;
        queue.on('error', (error: Error) => log.warn({ queue: name, err: error.message }, 'queue error'));
        stampRequestIds(queue);
        queues.set(name, queue);
      }
      // The map holds every queue as AulaQueue<QueueName>; the entry under `name` was made for queue N.
      return queue as unknown as AulaQueue<N>;
    },
    bullWorker<N extends QueueName>(name: N, processor: BullProcessor<N>, opts: { concurrency: number; lockMs: number }): AulaWorker<N> {
      const worker = new classes.Worker(name, processor, {
        connection: connections.consumer(),
        concurrency: opts.concurrency,
        // A worker that dies loses its lock after lockMs; the next stalled check hands the job to another.
        lockDuration: opts.lockMs,
        stalledInterval: opts.lockMs,
        ...(prefix ? { prefix } : {}),
      }) as AulaWorker<N>;
      worker.on('error', (error: Error) => log.warn({ queue: name, err: error.message }, 'worker error'));
      workers.add(worker);
      worker.on('closed', () => workers.delete(worker));
      return worker;
    },
    async publish(stream, event) {
      let producer = producers.get(stream);
      if (!producer) {
        producer = new classes.QueueEventsProducer(stream, { connection: connections.producer(), ...prefixed });
        producers.set(stream, producer);
      }
      await producer.publishEvent(event, 10_000);
    },
    async subscribe(stream, listener) {
      const events = new classes.QueueEvents(stream, { connection: connections.consumer(), ...prefixed });
      for (const name of catalog.eventNames(stream)) {
        // BullMQ hands back the fields publish() was given for this stream, as strings keyed by name.
        events.on(name, (args) => listener({ ...args, eventName: name } as unknown as EventStreams[typeof stream]));
      }
      await events.waitUntilReady();
      return () => events.close();
    },
    migrate: extra.migrate,
    ping: extra.ping,
    async close() {
      unregister();
      await Promise.all([...producers.values()].map((p) => p.close()));
      await Promise.all([...workers].map((w) => w.close(true)));
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
      await extra.closeConnections();
    },
  };
}

/** BullMQ on PostgreSQL, in schema `bullmq` of the same database, with its own pool. */
export function createPostgresQueueBackend(databaseUrl: string, catalog: QueueCatalog, log: Logger, poolMax = 20): QueueBackend {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax, options: '-c search_path=bullmq' });
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle queue connection error'));
  return build(
    'postgres',
    catalog,
    // Classes is the narrow view of BullMQ's backend-bound classes this file uses; their generics do not line up with it.
    withBackend(createPostgresBackend) as unknown as Classes,
    { producer: () => pool, consumer: () => pool },
    undefined,
    {
      migrate: async (client) => void (await runBullMigrations(client)),
      ping: async () => void (await pool.query('SELECT 1 FROM migration LIMIT 1')),
      closeConnections: () => pool.end(),
    },
    log,
  );
}

/** BullMQ on Redis under a key prefix; workers get their own blocking connections from BullMQ. */
export function createRedisQueueBackend(redisUrl: string, prefix: string, catalog: QueueCatalog, log: Logger): QueueBackend {
  const shared = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  shared.on('error', (error: Error) => log.warn({ err: error.message }, 'redis error'));
  // Producers fail fast while Redis is away (an upload answers 503 at once instead of waiting
  // for the whole outage); workers keep the patient connection and resume when it is back.
  const producer = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5000, lazyConnect: false });
  producer.on('error', (error: Error) => log.warn({ err: error.message }, 'redis error (producer)'));
  return build(
    'redis',
    catalog,
    // As for PostgreSQL: BullMQ's classes seen through the narrow Classes view.
    withBackend(createRedisBackend) as unknown as Classes,
    { producer: () => producer, consumer: () => shared },
    prefix,
    {
      migrate: async () => undefined,
      ping: async () => void (await shared.ping()),
      closeConnections: async () => {
        await Promise.all([shared, producer].map((c) => c.quit().catch(() => c.disconnect())));
      },
    },
    log,
  );
}

/** Picks the backend from configuration: Redis when a URL is given, else PostgreSQL. */
export function createQueueBackend(
  opts: { databaseUrl: string; redisUrl?: string | undefined; redisPrefix: string; catalog: QueueCatalog },
  log: Logger,
): QueueBackend {
  return opts.redisUrl
    ? createRedisQueueBackend(opts.redisUrl, opts.redisPrefix, opts.catalog, log)
    : createPostgresQueueBackend(opts.databaseUrl, opts.catalog, log);
}
