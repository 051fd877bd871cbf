import type pg from 'pg';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from './auth/guards.ts';
import type { Config } from './config.ts';
import type { MigrationSource } from './db/migrate.ts';
import type { Logger } from './logger.ts';
import type { QueueBackend } from './queue/backend.ts';
import type { EventStreamName, EventStreams, QueueName, QueueSpec } from './queue/definitions.ts';
import type { JobHandler } from './queue/worker.ts';
import type { Storage } from './storage/storage.ts';

/** What a module gets from the platform: nothing else crosses into it. */
export interface ModuleContext {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  /** The database in use (the embedded one's, when DATABASE_URL is unset), for dedicated connections such as LISTEN. */
  databaseUrl: string;
  /** The queue backend; `queues.catalog` lists every installed module's queues and event streams. */
  queues: QueueBackend;
  storage: Storage;
  /** Verifies Bearer tokens; identity signs them with the same secret. */
  auth: AuthGuards;
  jwtSecret: Uint8Array;
}

/** One queue of a module: its settings and the handler its workers run. */
export interface QueueEntry<N extends QueueName> {
  spec: QueueSpec;
  /** Makes the handler once per worker process. */
  handler(ctx: ModuleContext): JobHandler<N>;
  /** Worker concurrency from configuration, overriding `spec.concurrency`. */
  concurrency?(config: Config): number;
}

/**
 * A module's typed queue map over its payload interface P: a queue the module
 * declares without settings or a handler is a compile error.
 */
export type ModuleQueues<P> = { readonly [N in keyof P & QueueName]: QueueEntry<N> };

/** A module's event streams and every event name each carries, over its stream interface S. */
export type ModuleEvents<S> = { readonly [K in keyof S & EventStreamName]: ReadonlyArray<EventStreams[K]['eventName']> };

/** Any module's queues, as the platform sees them. */
export type ModuleQueueMap = { [N in QueueName]?: QueueEntry<N> };

/** A service of Aula: its schema and migrations, its routes, its queues; the composition root (src/app.ts) lists them. */
export interface AulaModule {
  name: string;
  migrations?: MigrationSource;
  routes?(app: FastifyInstance, ctx: ModuleContext): Promise<void>;
  /** Its queues (settings and handlers), typed with ModuleQueues. */
  queues?: ModuleQueueMap;
  /** The event streams it publishes, typed with ModuleEvents. */
  events?: { [S in EventStreamName]?: ReadonlyArray<EventStreams[S]['eventName']> };
  /** Runs once in every API and worker process after migrations (e.g. bootstrap data). */
  onStart?(ctx: ModuleContext): Promise<void>;
  /** Runs once when the process stops, after its workers stopped (e.g. to stop the processes the module started). */
  onStop?(ctx: ModuleContext): Promise<void>;
  /** Its outbox tables (`schema.table`, layout in platform/outbox/outbox.ts), published by every process's relay. */
  outboxes?: string[];
  /** Operator commands, run as `aula <module> <command> [--flag value…]`. */
  commands?: Record<string, ModuleCommand>;
}

/** An operator command: gets the context and the `--flag value` pairs; returns what to print. */
export type ModuleCommand = (ctx: ModuleContext, flags: Record<string, string>) => Promise<string>;
