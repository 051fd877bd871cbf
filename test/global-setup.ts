import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/db/embedded.ts';
import { createLogger } from '../src/platform/logger.ts';
import { findRedis } from './redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string | null;
  }
}

let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

/** Starts one embedded PostgreSQL for the whole run, unless DATABASE_URL points at a server. */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-test-pg-'));
    embedded = await startEmbeddedPostgres(dataDir, 0, createLogger('warn'));
    url = embedded.url;
  }
  const redisUrl = await findRedis();
  process.stdout.write(`queue backends under test: postgres${redisUrl ? ', redis' : ' (no Redis answered: redis tests skipped)'}\n`);
  project.provide('databaseUrl', url);
  project.provide('redisUrl', redisUrl ?? null);
}

/** Stops the embedded PostgreSQL and removes its files. */
export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
