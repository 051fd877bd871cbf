import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runningPostmaster } from '../src/platform/db/data-dir-lock.ts';
import { call } from './http.ts';
import { freePort, spawnAula, waitForOk, type AulaProcess } from './process.ts';
import { waitUntil } from './wait.ts';

function postgresProcessesOn(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('the embedded PostgreSQL dies under a running Aula', () => {
  const started: Array<{ proc: AulaProcess; dataDir: string }> = [];

  afterEach(async () => {
    for (const { proc, dataDir } of started.splice(0)) {
      proc.child.kill('SIGKILL');
      await proc.exited;
      for (const pid of postgresProcessesOn(path.join(dataDir, 'postgres'))) process.kill(Number(pid), 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  async function start() {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-pg-death-'));
    const port = await freePort();
    const proc = spawnAula(['start', '--no-workers'], { AULA_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
    started.push({ proc, dataDir });
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForOk(`${baseUrl}/ready`, 60_000, proc);
    const clusterDir = path.join(dataDir, 'postgres');
    return { proc, baseUrl, clusterDir, postmaster: runningPostmaster(clusterDir)! };
  }

  it('is started again, and the API serves from it', async () => {
    const { proc, baseUrl, clusterDir, postmaster } = await start();
    process.kill(postmaster, 'SIGKILL');
    await waitUntil(() => proc.output().includes('"msg":"embedded PostgreSQL restarted"'), 60_000);
    expect(runningPostmaster(clusterDir)).not.toBe(postmaster);
    await waitForOk(`${baseUrl}/ready`, 30_000, proc);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
    const signup = await call(baseUrl, 'POST', '/api/auth/signup', {
      body: { username: 'afterdeath', email: 'after@uni.example', password: 'Str0ngPass', password2: 'Str0ngPass' },
    });
    expect(signup.status).toBe(201);
  });

  it('when it cannot be started again, /health says so and Aula exits non-zero for its supervisor', async () => {
    const { proc, baseUrl, clusterDir, postmaster } = await start();
    fs.renameSync(path.join(clusterDir, 'PG_VERSION'), path.join(clusterDir, 'PG_VERSION.hidden')); // no restart can work now
    process.kill(postmaster, 'SIGKILL');
    await waitUntil(
      async () =>
        (await fetch(`${baseUrl}/health`).then(
          (r) => r.status,
          () => 0,
        )) === 503,
      30_000,
    );
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('could not be restarted');
    expect(postgresProcessesOn(clusterDir)).toEqual([]);
  });
});
