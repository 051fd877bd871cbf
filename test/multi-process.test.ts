import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from 'bullmq';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { freePort, spawnAula, waitForOk, type AulaProcess } from './process.ts';

const migrationsDir = path.resolve('src/platform/db/migrations');

describe('two servers started together on one DATABASE_URL', () => {
  let db: TestDatabase;
  const procs: AulaProcess[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await db.drop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('both become ready and every migration is applied exactly once', async () => {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-mp-'));
      dirs.push(dataDir);
      procs.push(spawnAula(['start'], { DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', AULA_DATA_DIR: dataDir }));
    }
    await Promise.all(ports.map((port, i) => waitForOk(`http://127.0.0.1:${port}/ready`, 30_000, procs[i])));

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const files = fs
        .readdirSync(migrationsDir)
        .filter((f) => f.endsWith('.sql'))
        .map((f) => f.replace(/\.sql$/, ''));
      const applied = await client.query<{ name: string }>('SELECT name FROM platform.kysely_migration ORDER BY name');
      expect(applied.rows.map((r) => r.name)).toEqual(files.sort());

      const bull = await client.query<{ n: number; distinct_n: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT version)::int AS distinct_n FROM bullmq.migration',
      );
      expect(bull.rows[0]!.n).toBe(bull.rows[0]!.distinct_n);
      expect(bull.rows[0]!.n).toBe(LATEST_SCHEMA_VERSION);

      const registered = await client.query('SELECT pid FROM platform.processes WHERE stopped_at IS NULL');
      expect(registered.rows.map((r) => r.pid).sort()).toEqual(procs.map((p) => p.child.pid).sort());
    } finally {
      await client.end();
    }
    const logs = procs.map((p) => p.output()).join('\n');
    expect(logs.match(/"migration":"001_processes","status":"Success"/g)).toHaveLength(1);
  });
});
