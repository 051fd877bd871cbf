import type pg from 'pg';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from './auth/guards.ts';
import type { Config } from './config.ts';
import type { MigrationSource } from './db/migrate.ts';
import type { Logger } from './logger.ts';
import type { QueueBackend } from './queue/backend.ts';
import type { QueueName } from './queue/definitions.ts';
import type { JobHandler } from './queue/worker.ts';
import type { Storage } from './storage/storage.ts';

/** What a module gets from the platform: nothing else crosses into it. */
export interface ModuleContext {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  /** The database in use (the embedded one's, when DATABASE_URL is unset), for dedicated connections such as LISTEN. */
  databaseUrl: string;
  queues: QueueBackend;
  storage: Storage;
  /** Verifies Bearer tokens; identity signs them with the same secret. */
  auth: AuthGuards;
  jwtSecret: Uint8Array;
}

/** The job handlers a module provides, by queue. */
export type ModuleHandlers = { [N in QueueName]?: (ctx: ModuleContext) => JobHandler<N> };

/** A service of Aula: its schema and migrations, its routes, its queue handlers. */
export interface AulaModule {
  name: string;
  migrations?: MigrationSource;
  routes?(app: FastifyInstance, ctx: ModuleContext): Promise<void>;
  handlers?: ModuleHandlers;
  /** Worker concurrency per queue from configuration, overriding the queue table. */
  concurrency?(config: Config): { [N in QueueName]?: number };
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
