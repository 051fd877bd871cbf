import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { createQueueBackend } from '../src/platform/queue/backend.ts';
import { QueueCatalog } from '../src/platform/queue/catalog.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { freePort, spawnAula, waitForOk, type AulaProcess } from './process.ts';
import { waitUntil } from './wait.ts';

const redisUrl = inject('redisUrl');

describe.each([
  { backend: 'postgres', redis: undefined },
  { backend: 'redis', redis: redisUrl ?? undefined },
])('process roles on the $backend queue backend', ({ backend, redis }) => {
  const enabled = backend === 'postgres' || Boolean(redis);
  let db: TestDatabase;
  let dataDir: string;
  const procs: AulaProcess[] = [];
  const prefix = `aula-roles-${randomBytes(4).toString('hex')}`;
  const env = () => ({
    DATABASE_URL: db.url,
    AULA_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    AULA_REDIS_PREFIX: prefix,
    ...(redis ? { REDIS_URL: redis } : {}),
  });

  beforeAll(async () => {
    if (!enabled) return;
    db = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-roles-'));
  });
  afterAll(async () => {
    if (!enabled) return;
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!enabled)('migrate exits after migrating; an API without workers and a worker process share the queue', async () => {
    const migrate = spawnAula(['migrate'], env());
    expect(await migrate.exited).toBe(0);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const tables = await client.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'platform' AND table_name = 'processes'");
    await client.end();
    expect(tables.rowCount).toBe(1);

    const port = await freePort();
    const api = spawnAula(['start', '--no-workers'], { ...env(), PORT: String(port) });
    const worker = spawnAula(['worker', '--queues', 'platform.noop'], env());
    procs.push(api, worker);
    await waitForOk(`http://127.0.0.1:${port}/ready`, 30_000, api);
    await waitUntil(() => worker.output().includes('Aula is ready'), 30_000);

    const log = createLogger('silent');
    const queues = createQueueBackend({ databaseUrl: db.url, redisUrl: redis, redisPrefix: prefix, catalog: new QueueCatalog(ALL_MODULES) }, log);
    try {
      const job = await queues.queue('platform.noop').add('noop', { seq: 42 });
      await waitUntil(async () => (await (await queues.queue('platform.noop').getJob(job.id!))?.getState()) === 'completed', 15_000);
      expect((await queues.queue('platform.noop').getJob(job.id!))!.returnvalue).toEqual({ seq: 42 });
    } finally {
      await queues.close();
    }
    expect(api.output()).not.toContain('workers started');

    // An API process serving only some modules answers 404 for the others' routes.
    const identityPort = await freePort();
    const identityOnly = spawnAula(['start', '--modules', 'identity', '--no-workers'], { ...env(), PORT: String(identityPort) });
    procs.push(identityOnly);
    await waitForOk(`http://127.0.0.1:${identityPort}/ready`, 30_000, identityOnly);
    const signup = await fetch(`http://127.0.0.1:${identityPort}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(signup.status).toBe(400); // the route exists
    expect((await fetch(`http://127.0.0.1:${identityPort}/api/tasks`)).status).toBe(404);
    identityOnly.child.kill('SIGTERM');
    expect(await identityOnly.exited).toBe(0);

    worker.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await api.exited).toBe(0);
  });
});
