import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { readClusterState } from '../src/modules/cluster/state.ts';
import { findHaproxy } from '../src/modules/cluster/supervisor/haproxy.ts';
import { ReleasePaths } from '../src/modules/deploy/release.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { startRuntime } from '../src/platform/runtime.ts';
import { freePort, spawnAula, waitForOk } from '../test/process.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const REQUESTS = 20_000;
const CONCURRENCY = 16;
const MAX_SECONDS = 30;
const ROUNDS = 3;
const ADMIN = { AULA_ADMIN_EMAIL: 'bench@uni.example', AULA_ADMIN_PASSWORD: 'B3nchAdmin' };

const phase = (what: string) => void process.stderr.write(`deploy bench: ${what}\n`);

const SERVER = `require('node:http').createServer((req, res) => res.end('hello ' + req.url)).listen(process.env.PORT);\n`;
const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'bench-app', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'package-lock.json': JSON.stringify({
    name: 'bench-app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'bench-app', version: '1.0.0' } },
  }),
  'server.js': SERVER,
};

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

// The load runs in its own process, so Aula's event loop is not shared with the client's.
const LOAD_SCRIPT = `
import { Pool } from 'undici';
const [origin, socketPath, urlPath, requests, concurrency, maxSeconds] = process.argv.slice(1);
const pool = new Pool(origin, { connections: Number(concurrency), ...(socketPath ? { socketPath } : {}) });
const latencies = [];
const deadline = performance.now() + Number(maxSeconds) * 1000;
let sent = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, async () => {
  while (sent < Number(requests) && performance.now() < deadline) {
    sent++;
    const start = performance.now();
    const { statusCode, body } = await pool.request({ path: urlPath, method: 'GET' });
    await body.text();
    if (statusCode !== 200) throw new Error('HTTP ' + statusCode);
    latencies.push(performance.now() - start);
  }
}));
const seconds = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ rps: latencies.length / seconds, p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] }));
await pool.close();
`;

/** Sends GETs from a child process, CONCURRENCY at a time, at most REQUESTS or MAX_SECONDS; returns req/s and p99 in ms. */
async function load(origin: string, socketPath: string, urlPath: string): Promise<{ rps: number; p99: number }> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', LOAD_SCRIPT, origin, socketPath, urlPath, String(REQUESTS), String(CONCURRENCY), String(MAX_SECONDS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the load process exited with ${code}`);
  return JSON.parse(out) as { rps: number; p99: number };
}

/** The baseline deploy by hand: clone, npm ci, node, until it answers on its socket. */
async function handDeploy(repo: string, dir: string): Promise<number> {
  const t0 = performance.now();
  execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${repo}`, dir]);
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  const socket = path.join(dir, 'app.sock');
  const child = spawn(process.execPath, ['server.js'], { cwd: dir, env: { PORT: socket }, stdio: 'ignore' });
  try {
    const pool = new Pool('http://localhost', { socketPath: socket });
    for (let i = 0; i < 500; i++) {
      const ok = await pool.request({ path: '/', method: 'GET' }).then(
        async (r) => {
          await r.body.text();
          return true;
        },
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await pool.close();
    return (performance.now() - t0) / 1000;
  } finally {
    child.kill('SIGKILL');
  }
}

/** Creates a project on `repo` through the API of the Aula at `base` and deploys it; returns the deployment id and seconds to live. */
async function deployThrough(base: string, repo: string): Promise<{ deploymentId: string; seconds: number }> {
  const login = await json(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: ADMIN.AULA_ADMIN_PASSWORD }),
  });
  const auth = { authorization: `Bearer ${login.body.token}`, 'content-type': 'application/json' };
  await json(`${base}/api/subjects`, { method: 'POST', headers: auth, body: JSON.stringify({ code: 'BENCH', name: 'Bench' }) });
  const course = (
    await json(`${base}/api/courses`, { method: 'POST', headers: auth, body: JSON.stringify({ subjectCode: 'BENCH', group: 'D', year: 2026, period: 2 }) })
  ).body.id as string;
  const project = (
    await json(`${base}/api/projects`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'Bench app', slug: 'bench-app', courseId: course, repoUrl: repo }),
    })
  ).body.id as string;
  const t0 = performance.now();
  const started = (await json(`${base}/api/projects/${project}/deployments`, { method: 'POST', headers: auth, body: '{}' })).body.id as string;
  let deployment: { state: string } = { state: 'queued' };
  for (let i = 0; i < 1200 && !['live', 'failed', 'cancelled'].includes(deployment.state); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    deployment = (await json(`${base}/api/deployments/${started}`, { headers: auth })).body;
  }
  if (deployment.state !== 'live') throw new Error(`the bench deploy ended ${deployment.state}`);
  return { deploymentId: started, seconds: (performance.now() - t0) / 1000 };
}

/** Runs each load ROUNDS times, in turn (so a busy moment of the machine hits all of them), and keeps each one's medians. */
async function rounds(loads: Record<string, () => Promise<{ rps: number; p99: number }>>): Promise<Record<string, { rps: number; p99: number }>> {
  const seen = Object.fromEntries(Object.keys(loads).map((name) => [name, [] as Array<{ rps: number; p99: number }>]));
  for (const run of Object.values(loads)) await run(); // warm-up of every path, not measured
  for (let round = 0; round < ROUNDS; round++) for (const [name, run] of Object.entries(loads)) seen[name]!.push(await run());
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return Object.fromEntries(Object.entries(seen).map(([name, r]) => [name, { rps: median(r.map((x) => x.rps)), p99: median(r.map((x) => x.p99)) }]));
}

/** A bare repository of the Node fixture under `scratch`. */
function benchRepo(scratch: string): string {
  const work = path.join(scratch, 'work');
  const repo = path.join(scratch, 'app.git');
  fs.mkdirSync(work);
  for (const [file, text] of Object.entries(FILES)) fs.writeFileSync(path.join(work, file), text);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@localhost', ...args], { cwd: work });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'bench');
  execFileSync('git', ['clone', '--quiet', '--bare', work, repo]);
  return repo;
}

/** `aula start` in this process: its Node.js proxy at /apps/<slug>/, the deploy time, and the same repository deployed by hand. */
async function singleProcess(scratch: string, repo: string): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AULA_DATA_DIR: path.join(scratch, 'data-start'),
    DATABASE_URL: backends.databaseUrl,
    AULA_DEPLOY_ALLOW_LOCAL_REPOS: 'true',
    AULA_APP_CPUS: '1',
    ...ADMIN,
  });
  const runtime = await startRuntime(
    config,
    { role: 'start', installed: ALL_MODULES, modules: ALL_MODULES, http: true, queues: ['deploy.build'] },
    createLogger('silent'),
  );
  try {
    const address = runtime.app!.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    phase('aula start: deploying the Node fixture');
    const deployed = await deployThrough(base, repo);
    phase('deploying the same repository by hand');
    const handSeconds = await handDeploy(repo, path.join(scratch, 'by-hand'));
    phase(`aula start: ${ROUNDS} rounds of ${REQUESTS} requests through Aula and on the socket`);
    const socketPath = new ReleasePaths(config.dataDir).socket(deployed.deploymentId);
    const r = await rounds({
      aula: () => load(base, '', '/apps/bench-app/'),
      socket: () => load('http://localhost', socketPath, '/apps/bench-app/'),
      health: () => load(base, '', '/health'),
    });
    return [
      {
        case: `aula start: GET /apps/<slug>/ (Node.js proxy), ${CONCURRENCY} at a time`,
        unit: 'req/s',
        ours: r.aula!.rps,
        baseline: r.socket!.rps,
        baselineName: 'the same app on its unix socket',
        higherIsBetter: true,
      },
      {
        case: "aula start: GET /apps/<slug>/ next to Aula's own lightest route",
        unit: 'req/s',
        ours: r.aula!.rps,
        baseline: r.health!.rps,
        baselineName: 'GET /health through Aula',
        higherIsBetter: true,
      },
      {
        case: 'aula start: GET /apps/<slug>/ p99',
        unit: 'ms',
        ours: r.aula!.p99,
        baseline: r.socket!.p99,
        baselineName: 'the same app on its unix socket',
        higherIsBetter: false,
      },
      {
        case: 'deploy of the Node fixture (queue → live)',
        unit: 's',
        ours: deployed.seconds,
        baseline: handSeconds,
        baselineName: 'git clone && npm ci && node by hand',
        higherIsBetter: false,
      },
    ];
  } finally {
    await runtime.stop();
    await backends.close();
  }
}

/** `aula cluster --api 1 --workers 1`: HAProxy sends /apps/<slug>/ straight to the release's socket. */
async function clusterMode(scratch: string, repo: string): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const dataDir = path.join(scratch, 'data-cluster');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cluster = spawnAula(['cluster', '--api', '1', '--workers', '1'], {
    DATABASE_URL: backends.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    AULA_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    AULA_DEPLOY_ALLOW_LOCAL_REPOS: 'true',
    AULA_APP_CPUS: '1',
    ...ADMIN,
  });
  try {
    await waitForOk(`${base}/ready`, 120_000, cluster);
    for (let i = 0; i < 600 && !readClusterState(dataDir)?.instances.every((x) => x.state === 'ready'); i++) await new Promise((r) => setTimeout(r, 100));
    phase('aula cluster: deploying the Node fixture');
    const deployed = await deployThrough(base, repo);
    // The route is HAProxy's once the supervisor reloaded it with the app's backend.
    for (let i = 0; i < 200; i++) {
      const csv = await (await fetch(`${readClusterState(dataDir)!.statsUrl};csv`)).text();
      if (csv.includes('app_bench-app,BACKEND')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    phase(`aula cluster: ${ROUNDS} rounds of ${REQUESTS} requests through HAProxy and on the socket`);
    const socketPath = new ReleasePaths(dataDir).socket(deployed.deploymentId);
    const r = await rounds({
      edge: () => load(base, '', '/apps/bench-app/'),
      socket: () => load('http://localhost', socketPath, '/apps/bench-app/'),
    });
    return [
      {
        case: `aula cluster: GET /apps/<slug>/ (HAProxy → the app's socket), ${CONCURRENCY} at a time`,
        unit: 'req/s',
        ours: r.edge!.rps,
        baseline: r.socket!.rps,
        baselineName: 'the same app on its unix socket',
        higherIsBetter: true,
      },
      {
        case: 'aula cluster: GET /apps/<slug>/ p99',
        unit: 'ms',
        ours: r.edge!.p99,
        baseline: r.socket!.p99,
        baselineName: 'the same app on its unix socket',
        higherIsBetter: false,
      },
    ];
  } finally {
    cluster.child.kill('SIGTERM');
    const exited = await Promise.race([cluster.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 60_000))]);
    if (!exited) cluster.child.kill('SIGKILL');
    await backends.close();
  }
}

/** Requests through /apps/<slug>/ (aula start's proxy, aula cluster's HAProxy) next to the same app on its socket; a deploy next to clone + npm ci + node by hand. */
export async function deployBench(): Promise<BenchRow[]> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-deploy-'));
  try {
    const repo = benchRepo(scratch);
    const rows = await singleProcess(scratch, repo);
    if (findHaproxy()) rows.unshift(...(await clusterMode(scratch, repo)));
    else phase('HAProxy is not installed: no aula cluster rows');
    return rows;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
