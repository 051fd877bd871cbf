import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { freePort, waitForOk } from './process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `node bin/aula.js <args>`: the production entry, plain JavaScript from dist/. */
function runBin(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, 'bin/aula.js'), ...args], {
    cwd: os.tmpdir(), // nothing may depend on the working directory
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, exited, output: () => out };
}

describe('npm start runs the compiled JavaScript in dist/', () => {
  let db: TestDatabase;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-dist-'));
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // Rebuilding a stale dist/ (after editing src/) is part of what this covers, and takes a while.
  it('finds its SQL migrations and assets from dist/ and serves', { timeout: 180_000 }, async () => {
    const migrate = runBin(['migrate'], { DATABASE_URL: db.url, AULA_DATA_DIR: dataDir });
    expect(await migrate.exited, migrate.output()).toBe(0);
    expect(fs.existsSync(path.join(root, 'dist/cli.js'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'dist/modules/media/assets/logo.png'))).toBe(true);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const migrations = fs.readdirSync(path.join(root, 'src/platform/db/migrations')).filter((f) => f.endsWith('.sql'));
      const applied = await client.query('SELECT name FROM platform.kysely_migration');
      expect(applied.rowCount).toBe(migrations.length);
      expect(
        (await client.query("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name IN ('identity', 'media', 'academic', 'stats')"))
          .rows[0].n,
      ).toBe(4);
    } finally {
      await client.end();
    }

    const port = await freePort();
    const server = runBin(['start', '--no-workers'], { DATABASE_URL: db.url, AULA_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
    try {
      await waitForOk(`http://127.0.0.1:${port}/ready`, 60_000);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});
