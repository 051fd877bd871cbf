import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { freePort, spawnAula, waitForOk, type AulaProcess } from './process.ts';
import { waitUntil } from './wait.ts';

describe('shutdown when the reader of stdout and stderr is gone', () => {
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

  it('SIGTERM ends the process even when its pipes fill up and then close while it shuts down', async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-epipe-'));
    dirs.push(dataDir);
    const proc = spawnAula(['start', '--no-workers'], {
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      AULA_DATA_DIR: dataDir,
      LOG_LEVEL: 'debug',
    });
    procs.push(proc);
    await waitForOk(`http://127.0.0.1:${port}/ready`, 30_000, proc);

    // A parent that stops reading: the child's log lines pile up behind a full pipe.
    proc.child.stdout!.pause();
    proc.child.stderr!.pause();
    const longUrl = `/health?filler=${'x'.repeat(4000)}`; // every request logs its URL twice
    for (let i = 0; i < 150; i++) await (await fetch(`http://127.0.0.1:${port}${longUrl}`)).arrayBuffer();

    proc.child.kill('SIGTERM');
    // Shutdown gets as far as leaving the process registry, with log lines still unwritten…
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await waitUntil(async () => {
        const row = await client.query('SELECT stopped_at FROM platform.processes WHERE pid = $1', [proc.child.pid]);
        return row.rows[0]?.stopped_at != null;
      }, 30_000);
    } finally {
      await client.end();
    }
    // …and then the parent goes away: every further write gets EPIPE.
    proc.child.stdout!.destroy();
    proc.child.stderr!.destroy();
    expect(await proc.exited).toBe(0);
  });
});
