import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { createAdmin } from '../src/modules/identity/admin.ts';
import { createIdentity } from '../src/modules/identity/service.ts';
import { ReleasePaths } from '../src/modules/deploy/release.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { startRuntime } from '../src/platform/runtime.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const REQUESTS = 5000;
const CONCURRENCY = 16;
const MAX_SECONDS = 30;

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

/** Requests through /apps/<slug>/ next to the same app on its socket; a deploy next to clone + npm ci + node by hand. */
export async function deployBench(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-deploy-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AULA_DATA_DIR: path.join(scratch, 'data'),
    DATABASE_URL: backends.databaseUrl,
    AULA_DEPLOY_ALLOW_LOCAL_REPOS: 'true',
    AULA_APP_CPUS: '1',
  });
  const runtime = await startRuntime(
    config,
    { role: 'start', installed: ALL_MODULES, modules: ALL_MODULES, http: true, queues: ['deploy.build'] },
    createLogger('silent'),
  );
  try {
    const work = path.join(scratch, 'work');
    const repo = path.join(scratch, 'app.git');
    fs.mkdirSync(work);
    for (const [file, text] of Object.entries(FILES)) fs.writeFileSync(path.join(work, file), text);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@localhost', ...args], { cwd: work });
    git('init', '--quiet', '--initial-branch=main');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'bench');
    execFileSync('git', ['clone', '--quiet', '--bare', work, repo]);

    const address = runtime.app!.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await createAdmin(createIdentity(runtime.ctx!), { email: 'bench@uni.example', password: 'B3nchAdmin', username: 'bench' });
    const login = await json(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'B3nchAdmin' }),
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

    phase('deploying the Node fixture');
    const t0 = performance.now();
    const started = (await json(`${base}/api/projects/${project}/deployments`, { method: 'POST', headers: auth, body: '{}' })).body.id as string;
    let deployment: { state: string } = { state: 'queued' };
    for (let i = 0; i < 1200 && !['live', 'failed', 'cancelled'].includes(deployment.state); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      deployment = (await json(`${base}/api/deployments/${started}`, { headers: auth })).body;
    }
    if (deployment.state !== 'live') throw new Error(`the bench deploy ended ${deployment.state}`);
    const deploySeconds = (performance.now() - t0) / 1000;
    phase('deploying the same repository by hand');
    const handSeconds = await handDeploy(repo, path.join(scratch, 'by-hand'));

    phase(`${REQUESTS} requests through Aula and on the socket`);
    const socketPath = new ReleasePaths(config.dataDir).socket(started);
    await load('http://localhost', socketPath, '/apps/bench-app/'); // warm-up of both paths, not measured
    await load(base, '', '/apps/bench-app/');
    const aula = await load(base, '', '/apps/bench-app/');
    const socket = await load('http://localhost', socketPath, '/apps/bench-app/');
    const floor = await load(base, '', '/health');
    return [
      {
        case: `GET /apps/<slug>/ (node:http app), ${CONCURRENCY} at a time`,
        unit: 'req/s',
        ours: aula.rps,
        baseline: socket.rps,
        baselineName: 'the same app on its unix socket',
        higherIsBetter: true,
      },
      {
        case: "GET /apps/<slug>/ next to Aula's own lightest route",
        unit: 'req/s',
        ours: aula.rps,
        baseline: floor.rps,
        baselineName: 'GET /health through Aula',
        higherIsBetter: true,
      },
      {
        case: 'GET /apps/<slug>/ p99',
        unit: 'ms',
        ours: aula.p99,
        baseline: socket.p99,
        baselineName: 'the same app on its unix socket',
        higherIsBetter: false,
      },
      {
        case: 'deploy of the Node fixture (queue → live)',
        unit: 's',
        ours: deploySeconds,
        baseline: handSeconds,
        baselineName: 'git clone && npm ci && node by hand',
        higherIsBetter: false,
      },
    ];
  } finally {
    await runtime.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
