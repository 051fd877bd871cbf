import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterDir, readClusterState, type ClusterState } from '../src/modules/cluster/state.ts';
import { isAlive } from '../src/platform/ids.ts';
import { freePort, spawnAula, waitForOk, type AulaProcess } from '../test/process.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const RUN_SECONDS = 60;
const KILL_AT_S = 20;
const STOP_AT_S = 40;
const VIRTUAL_USERS = 16;
/** In the single-process run, the "operator" kills and restarts the hung process this long after SIGSTOP. */
const HAND_RESTART_AFTER_HANG_MS = 5000;
const OVERHEAD_SECONDS = 8;
const PASSWORD = 'B3nchmarkPass';

interface Stats {
  requests: number;
  failed: number;
  failedGets: number;
  latencies: number[];
}

interface RunResult extends Stats {
  seconds: number;
  /** Seconds from the SIGKILL / the SIGSTOP until the lost capacity answered /ready again. */
  killToFull: number;
  stopToFull: number;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

/** One timed request; ok when the status is the expected one. */
async function timed(stats: Stats, url: string, init: RequestInit, expected: number): Promise<Response | undefined> {
  const t0 = performance.now();
  stats.requests++;
  const fail = () => {
    stats.failed++;
    if ((init.method ?? 'GET') === 'GET') stats.failedGets++;
  };
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    stats.latencies.push(performance.now() - t0);
    if (response.status !== expected) {
      fail();
      return undefined;
    }
    return new Response(text, { status: response.status });
  } catch {
    stats.latencies.push(performance.now() - t0);
    fail();
    return undefined;
  }
}

/** Virtual users: sign up (with an Idempotency-Key), log in, list their tasks three times; again with a new account. */
async function virtualUsers(base: string, tag: string, until: number, stats: Stats): Promise<void> {
  const json = { 'content-type': 'application/json' };
  await Promise.all(
    Array.from({ length: VIRTUAL_USERS }, async (_, vu) => {
      for (let n = 0; Date.now() < until && n < 100_000; n++) {
        const username = `${tag}${vu}x${n}`;
        const signup = await timed(
          stats,
          `${base}/api/auth/signup`,
          {
            method: 'POST',
            headers: { ...json, 'idempotency-key': `k-${username}` },
            body: JSON.stringify({ username, email: `${username}@uni.example`, password: PASSWORD, password2: PASSWORD }),
          },
          201,
        );
        if (!signup) continue;
        const login = await timed(
          stats,
          `${base}/api/auth/login`,
          { method: 'POST', headers: json, body: JSON.stringify({ username, password: PASSWORD }) },
          200,
        );
        if (!login) continue;
        const { token } = (await login.json()) as { token: string };
        for (let i = 0; i < 3 && Date.now() < until; i++) {
          await timed(stats, `${base}/api/tasks?max=10`, { headers: { authorization: `Bearer ${token}` } }, 200);
        }
      }
    }),
  );
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('benchmark: condition not met in time');
    await sleep(50);
  }
}

const env = (databaseUrl: string, dataDir: string, port: number) => ({
  DATABASE_URL: databaseUrl,
  AULA_DATA_DIR: dataDir,
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  AULA_SIGNUP_RATE_LIMIT: '100000000',
  AULA_LOGIN_RATE_LIMIT: '100000000',
});

/** `aula cluster --api 3`: SIGKILL api-1 at 20 s, SIGSTOP api-2 at 40 s; the monitor replaces both. */
async function clusterRun(databaseUrl: string, dataDir: string, procs: AulaProcess[]): Promise<RunResult & { detections: number[] }> {
  const port = await freePort();
  const cluster = spawnAula(['cluster', '--api', '3', '--workers', '1'], env(databaseUrl, dataDir, port));
  procs.push(cluster);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/ready`, 180_000, cluster);
  await until(() => readClusterState(dataDir)?.instances.every((i) => i.state === 'ready') ?? false, 120_000);
  const instance = (name: string) => readClusterState(dataDir)!.instances.find((i) => i.name === name)!;
  const stats: Stats = { requests: 0, failed: 0, failedGets: 0, latencies: [] };
  const started = Date.now();
  const load = virtualUsers(base, 'c', started + RUN_SECONDS * 1000, stats);
  const replaced = async (name: string, at: number, signal: NodeJS.Signals) => {
    await sleep(Math.max(0, started + at * 1000 - Date.now()));
    const victim = instance(name);
    const t0 = Date.now();
    process.kill(victim.pid!, signal);
    await until(() => {
      const now = instance(name);
      return now.pid !== victim.pid && now.state === 'ready';
    }, 120_000);
    return (Date.now() - t0) / 1000;
  };
  const [killToFull, stopToFull] = await Promise.all([replaced('api-1', KILL_AT_S, 'SIGKILL'), replaced('api-2', STOP_AT_S, 'SIGSTOP')]);
  await load;
  const seconds = (Date.now() - started) / 1000;
  const detections = ['api-1', 'api-2'].map((name) => instance(name).lastDetectionMs ?? Number.NaN);
  cluster.child.kill('SIGTERM');
  await cluster.exited;
  return { ...stats, seconds, killToFull, stopToFull, detections };
}

/** One `aula start`, no redundancy: SIGKILL at 20 s and restarted at once by hand; SIGSTOP at 40 s, killed and restarted by hand 5 s later. */
async function singleRun(databaseUrl: string, dataDir: string, procs: AulaProcess[]): Promise<RunResult> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server = spawnAula(['start'], env(databaseUrl, dataDir, port));
  procs.push(server);
  await waitForOk(`${base}/ready`, 180_000, server);
  const stats: Stats = { requests: 0, failed: 0, failedGets: 0, latencies: [] };
  const started = Date.now();
  const load = virtualUsers(base, 's', started + RUN_SECONDS * 1000, stats);
  const restartByHand = async () => {
    server.child.kill('SIGKILL');
    await server.exited;
    server = spawnAula(['start'], env(databaseUrl, dataDir, port));
    procs.push(server);
    await waitForOk(`${base}/ready`, 180_000, server);
  };
  await sleep(Math.max(0, started + KILL_AT_S * 1000 - Date.now()));
  let t0 = Date.now();
  server.child.kill('SIGKILL');
  await restartByHand();
  const killToFull = (Date.now() - t0) / 1000;
  await sleep(Math.max(0, started + STOP_AT_S * 1000 - Date.now()));
  t0 = Date.now();
  server.child.kill('SIGSTOP');
  await sleep(HAND_RESTART_AFTER_HANG_MS);
  await restartByHand();
  const stopToFull = (Date.now() - t0) / 1000;
  await load;
  const seconds = (Date.now() - started) / 1000;
  server.child.kill('SIGTERM');
  await server.exited;
  return { ...stats, seconds, killToFull, stopToFull };
}

/** GET /health for a few seconds at fixed concurrency; requests per second. */
async function healthRate(url: string): Promise<number> {
  let count = 0;
  const end = Date.now() + OVERHEAD_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: VIRTUAL_USERS }, async () => {
      while (Date.now() < end) {
        const response = await fetch(url);
        await response.arrayBuffer();
        if (response.ok) count++;
      }
    }),
  );
  return count / OVERHEAD_SECONDS;
}

/** HAProxy's cost: `aula cluster --api 1`, the same instance through HAProxy and straight on its private port. */
async function overheadRun(databaseUrl: string, dataDir: string, procs: AulaProcess[]): Promise<{ through: number; direct: number }> {
  const port = await freePort();
  const cluster = spawnAula(['cluster', '--api', '1', '--workers', '0'], env(databaseUrl, dataDir, port));
  procs.push(cluster);
  await waitForOk(`http://127.0.0.1:${port}/ready`, 180_000, cluster);
  await until(() => readClusterState(dataDir)?.instances.every((i) => i.state === 'ready') ?? false, 120_000);
  const privatePort = readClusterState(dataDir)!.instances[0]!.port!;
  const direct = await healthRate(`http://127.0.0.1:${privatePort}/health`);
  const through = await healthRate(`http://127.0.0.1:${port}/health`);
  cluster.child.kill('SIGTERM');
  await cluster.exited;
  return { through, direct };
}

/** Pids named in a cluster state file, even one left by a supervisor that is gone. */
function leftPids(dataDir: string): number[] {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(clusterDir(dataDir), 'state.json'), 'utf8')) as ClusterState;
    return [...state.instances.flatMap((i) => (i.pid ? [i.pid] : [])), ...(state.haproxyPid ? [state.haproxyPid] : [])];
  } catch {
    return [];
  }
}

/** The old availability experiment at this machine's scale: `aula cluster --api 3` next to one `aula start`, both killed and hung. */
export async function clusterFailover(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const dirs = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-cluster-')));
  const procs: AulaProcess[] = [];
  try {
    const cluster = await clusterRun(backends.databaseUrl, dirs[0]!, procs);
    const single = await singleRun(backends.databaseUrl, dirs[1]!, procs);
    const overhead = await overheadRun(backends.databaseUrl, dirs[2]!, procs);
    process.stdout.write(
      `cluster-failover: ${VIRTUAL_USERS} virtual users for ${RUN_SECONDS} s; monitor detection: SIGKILL ${cluster.detections[0]} ms, SIGSTOP ${cluster.detections[1]} ms ` +
        `(last answered ping to decision); requests: cluster ${cluster.requests} (${cluster.failed} failed, of which GET ${cluster.failedGets}), ` +
        `single ${single.requests} (${single.failed} failed, of which GET ${single.failedGets}); POSTs are not retried here\n`,
    );
    const rate = (r: RunResult) => (r.requests - r.failed) / r.seconds;
    const failedPct = (r: RunResult) => (100 * r.failed) / Math.max(1, r.requests);
    const baselineName = 'one `aula start`, restarted by hand';
    return [
      {
        case: 'successful requests/s over 60 s (kill at 20 s, hang at 40 s)',
        unit: '/s',
        ours: rate(cluster),
        baseline: rate(single),
        baselineName,
        higherIsBetter: true,
      },
      { case: 'failed requests', unit: '%', ours: failedPct(cluster), baseline: failedPct(single), baselineName, higherIsBetter: false },
      {
        case: 'latency p95',
        unit: 'ms',
        ours: percentile(cluster.latencies, 0.95),
        baseline: percentile(single.latencies, 0.95),
        baselineName,
        higherIsBetter: false,
      },
      {
        case: 'latency p99',
        unit: 'ms',
        ours: percentile(cluster.latencies, 0.99),
        baseline: percentile(single.latencies, 0.99),
        baselineName,
        higherIsBetter: false,
      },
      {
        case: 'SIGKILL → full strength',
        unit: 's',
        ours: cluster.killToFull,
        baseline: single.killToFull,
        baselineName: 'restarted at once by hand',
        higherIsBetter: false,
      },
      {
        case: 'SIGSTOP → full strength',
        unit: 's',
        ours: cluster.stopToFull,
        baseline: single.stopToFull,
        baselineName: 'killed and restarted by hand after 5 s',
        higherIsBetter: false,
      },
      {
        case: `GET /health, concurrency ${VIRTUAL_USERS}, through HAProxy`,
        unit: '/s',
        ours: overhead.through,
        baseline: overhead.direct,
        baselineName: 'the same instance, straight',
        higherIsBetter: true,
      },
    ];
  } finally {
    for (const proc of procs) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    for (const dir of dirs) {
      // Children of a killed supervisor run in their own process groups: stop any left.
      for (const pid of leftPids(dir)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await backends.close();
  }
}
