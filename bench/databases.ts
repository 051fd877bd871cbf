import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { createLogger } from '../src/platform/logger.ts';
import { findRedis } from '../test/redis.ts';

/** A PostgreSQL database for one benchmark (DATABASE_URL's server, or an embedded one) and a Redis if any. */
export interface BenchBackends {
  databaseUrl: string;
  redisUrl: string | undefined;
  close(): Promise<void>;
}

/** Creates a throw-away database (and finds Redis) for a benchmark. */
export async function benchBackends(): Promise<BenchBackends> {
  let serverUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!serverUrl) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-pg-'));
    const embedded = await startEmbeddedPostgres(dir, 0, createLogger('warn'));
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const name = `aula_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    redisUrl: await findRedis(),
    async close() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await stopEmbedded?.();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
