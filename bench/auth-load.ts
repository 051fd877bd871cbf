import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword, verifyPassword } from '../src/modules/identity/passwords.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { startRuntime } from '../src/platform/runtime.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const SIGNUPS = 300;
const LOGINS = 600;
const CONCURRENCY = 16;

/** Runs `count` tasks with at most `concurrency` at once; returns per-task latencies (ms) and the total seconds. */
async function load(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;

async function post(url: string, body: object, expected: number): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  if (response.status !== expected) throw new Error(`${url} answered ${response.status}`);
}

/** Sign-ups and log-ins per second over HTTP, next to raw argon2id hashes/verifies per second at the same concurrency. */
export async function authLoad(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-auth-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AULA_DATA_DIR: dataDir,
    DATABASE_URL: backends.databaseUrl,
    AULA_SIGNUP_RATE_LIMIT: '1000000',
    AULA_LOGIN_RATE_LIMIT: '1000000',
  });
  const runtime = await startRuntime(
    config,
    { role: 'start', installed: ALL_MODULES, modules: ALL_MODULES, http: true, queues: ['identity.project'] },
    createLogger('silent'),
  );
  try {
    const address = runtime.app!.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const password = 'B3nchmarkPass';

    const rawHash = await load(SIGNUPS, CONCURRENCY, async () => void (await hashPassword(password)));
    const signups = await load(SIGNUPS, CONCURRENCY, (i) =>
      post(`${base}/api/auth/signup`, { username: `bench${i}`, email: `bench${i}@uni.example`, password, password2: password }, 201),
    );
    const stored = await hashPassword(password);
    const rawVerify = await load(LOGINS, CONCURRENCY, async () => void (await verifyPassword(stored, password)));
    const logins = await load(LOGINS, CONCURRENCY, (i) => post(`${base}/api/auth/login`, { username: `bench${i % SIGNUPS}`, password }, 200));

    return [
      {
        case: `${SIGNUPS} sign-ups, concurrency ${CONCURRENCY}`,
        unit: '/s',
        ours: SIGNUPS / signups.seconds,
        baseline: SIGNUPS / rawHash.seconds,
        baselineName: 'raw argon2id hashes (same params)',
        higherIsBetter: true,
      },
      {
        case: 'sign-up latency p95',
        unit: 'ms',
        ours: p95(signups.latencies),
        baseline: p95(rawHash.latencies),
        baselineName: 'raw argon2id hash p95',
        higherIsBetter: false,
      },
      {
        case: `${LOGINS} log-ins, concurrency ${CONCURRENCY}`,
        unit: '/s',
        ours: LOGINS / logins.seconds,
        baseline: LOGINS / rawVerify.seconds,
        baselineName: 'raw argon2id verifies',
        higherIsBetter: true,
      },
      {
        case: 'log-in latency p95',
        unit: 'ms',
        ours: p95(logins.latencies),
        baseline: p95(rawVerify.latencies),
        baselineName: 'raw argon2id verify p95',
        higherIsBetter: false,
      },
    ];
  } finally {
    await runtime.stop();
    await backends.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
