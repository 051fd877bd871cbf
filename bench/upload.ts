import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForOk } from '../test/process.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 1000);
const CONCURRENCY = 100;
const SIZE = 5 * 1024 * 1024;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Peak resident memory of a process, in MiB (VmHWM). */
function peakRssMiB(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

async function drive(send: () => Promise<Response>): Promise<{ seconds: number; p95: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < UPLOADS) {
        const t0 = performance.now();
        const response = await send();
        await response.arrayBuffer();
        if (response.status !== 201) throw new Error(`upload answered ${response.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, p95: latencies[Math.floor(latencies.length * 0.95)]! };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** 1000 × 5 MB multipart uploads through Aula at concurrency 100, next to a bare stream-to-disk server. */
export async function uploadLoad(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-upload-'));
  const payload = new Uint8Array(SIZE).fill(42);
  try {
    // Baseline.
    const barePort = await freePort();
    fs.mkdirSync(path.join(dir, 'bare'));
    const bare = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/bare-upload-server.ts'), path.join(dir, 'bare'), String(barePort)], {
      stdio: 'ignore',
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const bareRun = await drive(() => fetch(`http://127.0.0.1:${barePort}/`, { method: 'POST', body: payload }));
    const bareRss = peakRssMiB(bare.pid!);
    await stop(bare);
    fs.rmSync(path.join(dir, 'bare'), { recursive: true, force: true });

    // Aula: the API alone (no media workers, so nothing is rendered), on the benchmark database.
    const port = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL: backends.databaseUrl,
      AULA_DATA_DIR: path.join(dir, 'aula'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AULA_SIGNUP_RATE_LIMIT: '1000',
      AULA_LOGIN_RATE_LIMIT: '1000',
    };
    const aula = spawn(process.execPath, [path.join(root, 'bin/aula.js'), 'start', '--no-workers'], { env, stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    await waitForOk(`${base}/ready`, 60_000);
    const account = { username: 'uploader', email: 'uploader@uni.example', password: 'Upl0aderPass', password2: 'Upl0aderPass' };
    await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
    const login = (await (
      await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) })
    ).json()) as { token: string };
    const blob = new Blob([payload], { type: 'video/mp4' });
    const aulaRun = await drive(() => {
      const form = new FormData();
      form.append('title', 'bench');
      form.append('file', blob, 'bench.mp4');
      return fetch(`${base}/api/tasks`, { method: 'POST', headers: { authorization: `Bearer ${login.token}` }, body: form });
    });
    const aulaRss = peakRssMiB(aula.pid!);
    await stop(aula);

    const mb = (UPLOADS * SIZE) / 1024 / 1024;
    const label = `${UPLOADS} × 5 MB uploads, concurrency ${CONCURRENCY}`;
    return [
      {
        case: `${label}: throughput`,
        unit: 'MiB/s',
        ours: mb / aulaRun.seconds,
        baseline: mb / bareRun.seconds,
        baselineName: 'bare stream-to-disk server',
        higherIsBetter: true,
      },
      {
        case: `${label}: p95 latency`,
        unit: 'ms',
        ours: aulaRun.p95,
        baseline: bareRun.p95,
        baselineName: 'bare stream-to-disk server',
        higherIsBetter: false,
      },
      { case: `${label}: server peak RSS`, unit: 'MiB', ours: aulaRss, baseline: bareRss, baselineName: 'bare stream-to-disk server', higherIsBetter: false },
    ];
  } finally {
    await backends.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
