import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The admin the server creates at start (AULA_ADMIN_EMAIL / AULA_ADMIN_PASSWORD). */
export const ADMIN = { email: 'admin@e2e.example', password: 'Adm1nE2ePass' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitReady(url: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Aula exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('Aula was not ready within 120 s');
}

/**
 * Starts a real Aula (`node bin/aula.js start`: embedded PostgreSQL in a fresh data
 * directory, all workers, ffmpeg) on a free loopback port; the returned function stops it.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dataDir, 'aula.log'), 'a');
  // The embedded PostgreSQL and BullMQ on it, whatever the caller's shell has set.
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, ['bin/aula.js', 'start'], {
    cwd: repo,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      AULA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AULA_ADMIN_EMAIL: ADMIN.email,
      AULA_ADMIN_PASSWORD: ADMIN.password,
      // Each test context sends its own X-Forwarded-For, so per-IP limits apply per test.
      AULA_TRUST_PROXY: 'true',
      AULA_LOGIN_RATE_LIMIT: '8',
      AULA_SIGNUP_RATE_LIMIT: '50',
      AULA_VIDEO_MAX_SECONDS: '6',
      AULA_VIDEO_BUMPER_SECONDS: '1',
      AULA_MEDIA_CONCURRENCY: '1',
      AULA_MEDIA_IMPORT_ALLOW_HOSTS: '127.0.0.1',
      // The deploy spec's project repository is a local bare repository it creates.
      AULA_DEPLOY_ALLOW_LOCAL_REPOS: 'true',
    },
    stdio: ['ignore', log, log],
  });
  try {
    await waitReady(url, child, Date.now() + 120_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${fs.readFileSync(path.join(dataDir, 'aula.log'), 'utf8').slice(-4000)}`);
  }
  process.env.AULA_E2E_URL = url;
  process.env.AULA_E2E_DATA = dataDir;
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
