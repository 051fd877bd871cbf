import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { createPostgresQueueBackend, type QueueBackend } from '../src/platform/queue/backend.ts';
import { QueueCatalog } from '../src/platform/queue/catalog.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { freePort, waitForOk } from './process.ts';
import { waitUntil } from './wait.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let db: TestDatabase;
let dataDir: string;
let queues: QueueBackend | undefined;
let child: ReturnType<typeof spawn> | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-safety-'));
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await queues?.close();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the process-level safety net', () => {
  it('a thrown async error and an unhandled rejection are logged; the process keeps serving HTTP and jobs', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, AULA_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    delete env.REDIS_URL;
    child = spawn(process.execPath, ['--import', path.join(root, 'test/fixtures/throw-on-signal.mjs'), path.join(root, 'bin/aula.js'), 'start'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let exited: number | string | undefined;
    child.on('exit', (code, signal) => (exited = code ?? signal ?? -1));
    await waitForOk(`http://127.0.0.1:${port}/ready`, 60_000);

    child.kill('SIGUSR2');
    await waitUntil(() => out.includes('uncaught exception (kept serving)') && out.includes('unhandled promise rejection (kept serving)'), 10_000);
    expect(out).toContain('thrown from an async callback');
    expect(out).toContain('rejected and never awaited');

    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    queues = createPostgresQueueBackend(db.url, new QueueCatalog(ALL_MODULES), createLogger('silent'), 2);
    const job = await queues.queue('platform.noop').add('noop', { seq: 7 });
    await waitUntil(async () => (await job.getState()) === 'completed', 20_000);
    expect(exited).toBeUndefined();
  });
});
