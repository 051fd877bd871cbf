import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { call } from '../../../test/http.ts';
import { freePort, spawnAula, waitForOk } from '../../../test/process.ts';

let db: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-identity-cli-'));
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('identity from the command line and the environment', () => {
  it('AULA_ADMIN_EMAIL/PASSWORD create the first admin at start; the JWT secret is generated into the data directory', async () => {
    const port = await freePort();
    const proc = spawnAula(['start'], {
      DATABASE_URL: db.url,
      AULA_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AULA_ADMIN_EMAIL: 'first@uni.example',
      AULA_ADMIN_PASSWORD: 'F1rstAdmin',
    });
    try {
      await waitForOk(`http://127.0.0.1:${port}/ready`, 30_000, proc);
      const login = await call(`http://127.0.0.1:${port}`, 'POST', '/api/auth/login', { body: { email: 'first@uni.example', password: 'F1rstAdmin' } });
      expect(login.status).toBe(200);
      expect(login.body.user.role).toBe('admin');
      const secretFile = path.join(dataDir, 'jwt-secret');
      expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
      expect(proc.output()).not.toContain(fs.readFileSync(secretFile, 'utf8'));
      expect(proc.output()).not.toContain('F1rstAdmin');
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  it('aula admin create makes an admin, refuses a weak password, and rebuild-read-model reports what it replayed', async () => {
    const env = { DATABASE_URL: db.url, AULA_DATA_DIR: dataDir };
    const weak = spawnAula(['admin', 'create', '--email', 'second@uni.example', '--password', 'weak'], env);
    expect(await weak.exited).toBe(1);
    expect(weak.output()).toContain('password must be at least 8 characters');

    const ok = spawnAula(['admin', 'create', '--email', 'second@uni.example', '--password', 'S3condAdmin'], env);
    expect(await ok.exited).toBe(0);
    expect(ok.output()).toMatch(/created admin second <second@uni.example>/);

    const again = spawnAula(['admin', 'create', '--email', 'SECOND@uni.example', '--password', 'S3condAdmin'], env);
    expect(await again.exited).toBe(0);
    expect(again.output()).toContain('made admin second');

    const rebuild = spawnAula(['identity', 'rebuild-read-model'], env);
    expect(await rebuild.exited).toBe(0);
    expect(rebuild.output()).toContain('user_directory rebuilt from 2 outbox events');

    const unknown = spawnAula(['identity', 'frobnicate'], env);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toContain('module identity has no command frobnicate');
  });
});
