import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Config } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { pendingMigrations, runMigrations } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { buildApp } from './http/app.ts';
import type { Logger } from './logger.ts';
import type { AulaModule, ModuleContext } from './module.ts';
import { registerProcess, type ProcessRegistration } from './process-registry.ts';
import { createQueueBackend, type QueueBackend } from './queue/backend.ts';
import { QueueCatalog } from './queue/catalog.ts';
import type { QueueName } from './queue/definitions.ts';
import { startWorker, type RunningWorker } from './queue/worker.ts';
import { LocalStorage } from './storage/local.ts';
import { startPartialSweep } from './storage/partial-sweep.ts';
import { createGuards } from './auth/guards.ts';
import { loadJwtSecret } from './auth/secret.ts';
import { startOutboxRelay } from './outbox/relay.ts';

/** What to run in this process. */
export interface RuntimeOptions {
  role: 'start' | 'worker' | 'migrate' | 'command';
  /** Every installed module (the platform's own included), from the composition root: migrations, queues, start-up work. */
  installed: readonly AulaModule[];
  /** The installed modules whose routes this process serves. */
  modules: readonly AulaModule[];
  http: boolean;
  /** Queues this process consumes; empty for none. */
  queues: QueueName[];
}

/** A started process; stop() shuts it down in order and never throws. */
export interface Runtime {
  app: FastifyInstance | undefined;
  databaseUrl: string;
  pool: pg.Pool;
  queues: QueueBackend;
  /** The modules' context; undefined for the migrate role. */
  ctx: ModuleContext | undefined;
  /** Resolves when a part the process cannot live without is gone for good (the embedded PostgreSQL). */
  fatal: Promise<Error>;
  stop(): Promise<void>;
}

function embeddedRunning(embedded: EmbeddedDatabase): () => Promise<void> {
  return async () => {
    const state = embedded.state();
    if (state !== 'running') throw new Error(state);
  };
}

/** Brings the database up, migrates, then starts the HTTP API and the workers asked for. */
export async function startRuntime(config: Config, options: RuntimeOptions, log: Logger): Promise<Runtime> {
  const cleanups: Array<[string, () => Promise<void>]> = [];
  const stop = async () => {
    for (const [what, cleanup] of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.error({ err: error instanceof Error ? error.message : String(error), what }, 'shutdown step failed');
      }
    }
    cleanups.length = 0;
  };
  try {
    let embedded: EmbeddedDatabase | undefined;
    if (!config.databaseUrl) {
      embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
      cleanups.push(['embedded postgres', embedded.stop]);
    }
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    const fatal = embedded?.failed ?? new Promise<Error>(() => undefined);
    const pool = createPool(databaseUrl, config.dbPoolMax, log);
    cleanups.push(['database pool', () => pool.end()]);
    const catalog = new QueueCatalog(options.installed);
    const queues = createQueueBackend({ databaseUrl, redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, catalog }, log);
    cleanups.push(['queue backend', () => queues.close()]);
    log.info({ queueBackend: queues.kind, embeddedDatabase: Boolean(embedded) }, 'backends chosen');

    const migrationSources = options.installed.flatMap((m) => (m.migrations ? [m.migrations] : []));
    await runMigrations(pool, migrationSources, log, queues.migrate);
    if (options.role === 'migrate') return { app: undefined, databaseUrl, pool, queues, ctx: undefined, fatal, stop };

    const jwtSecret = loadJwtSecret(config.jwtSecret, config.dataDir);
    const ctx: ModuleContext = {
      config,
      log,
      pool,
      databaseUrl,
      queues,
      storage: new LocalStorage(config.storageDir),
      auth: createGuards(jwtSecret),
      jwtSecret,
    };
    if (options.role === 'command') return { app: undefined, databaseUrl, pool, queues, ctx, fatal, stop };

    const registration: ProcessRegistration = await registerProcess(
      pool,
      {
        role: options.role,
        modules: options.modules.map((m) => m.name),
        queues: options.queues,
      },
      log,
    );
    cleanups.push(['process registry', registration.stop]);
    // A live write can be no older than the longest request, plus a minute for the rename.
    const stopSweep = await startPartialSweep(ctx.storage, config.requestTimeoutMs + 60_000, log);
    cleanups.push(['partial file sweep', async () => stopSweep()]);
    for (const module of options.installed) await module.onStart?.(ctx);
    const outboxes = options.installed.flatMap((m) => m.outboxes ?? []);
    if (outboxes.length > 0) {
      const relay = startOutboxRelay({ pool, databaseUrl, queues, tables: outboxes, log });
      cleanups.push(['outbox relay', relay.stop]);
    }

    for (const name of catalog.names()) queues.queue(name); // so /metrics reports every queue's counts
    let app: FastifyInstance | undefined;
    if (options.http) {
      app = await buildApp({
        log,
        trustProxy: config.trustProxy,
        requestTimeoutMs: config.requestTimeoutMs,
        liveness: embedded ? [{ name: 'embedded database', check: embeddedRunning(embedded) }] : [],
        readiness: [
          { name: 'database', check: async () => void (await pool.query('SELECT 1')) },
          { name: 'queue', check: () => queues.ping() },
          {
            name: 'migrations',
            check: async () => {
              const pending = await pendingMigrations(pool, migrationSources);
              if (pending > 0) throw new Error(`${pending} migrations pending`);
            },
          },
        ],
        register: async (instance) => {
          for (const module of options.modules) await module.routes?.(instance, ctx);
        },
      });
      await app.listen({ port: config.port, host: config.host });
      const server = app;
      cleanups.push(['http server', () => server.close()]);
    }

    // Pushed before the workers, so it runs after they stopped (jobs finished or released) and before the HTTP server and backends go.
    cleanups.push(['module stops', async () => void (await Promise.all(options.installed.map((m) => m.onStop?.(ctx))))]);
    const workers: RunningWorker[] = [];
    for (const queue of options.queues) {
      const entry = catalog.entry(queue);
      const concurrency = entry.concurrency?.(config);
      workers.push(startWorker(queues, queue, entry.handler(ctx), log, { lockMs: config.jobLockMs, ...(concurrency ? { concurrency } : {}) }));
    }
    if (workers.length > 0) {
      cleanups.push(['workers', async () => void (await Promise.all(workers.map((w) => w.stop(config.shutdownTimeoutMs))))]);
      log.info({ queues: options.queues }, 'workers started');
    }
    return { app, databaseUrl, pool, queues, ctx, fatal, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
