import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterState } from '../src/modules/cluster/state.ts';
import { findHaproxy } from '../src/modules/cluster/supervisor/haproxy.ts';
import { fixtureRepo, type FixtureRepo } from '../src/modules/deploy/test-helpers.ts';
import { edgeFiles, mapEntries } from '../src/modules/deploy/edge.ts';
import { BubblewrapRunner } from '../src/modules/deploy/sandbox/bubblewrap.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { call } from './http.ts';
import { freePort, spawnAula, waitForOk, type AulaProcess } from './process.ts';
import { waitUntil } from './wait.ts';

/** An app that says which release answers and what reached it. */
const app = (version: string): Record<string, string> => ({
  'package.json': JSON.stringify({ name: 'edge-fixture', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'server.js': `const server = require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url.endsWith('/own-frame-policy')) res.setHeader('x-frame-options', 'DENY');
  res.end(JSON.stringify({ version: ${JSON.stringify(version)}, url: req.url, authorization: req.headers.authorization ?? null, prefix: req.headers['x-forwarded-prefix'] ?? null }));
});
// An upgraded connection echoes what it receives.
server.on('upgrade', (req, socket) => {
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n');
  socket.pipe(socket);
});
server.listen(process.env.PORT);
`,
});

const sandboxReady = await new BubblewrapRunner().check().then(
  () => true,
  () => false,
);

describe.skipIf(!findHaproxy() || !sandboxReady)('aula cluster: HAProxy sends /apps/<slug>/ straight to the running release', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let cluster: AulaProcess;
  let dataDir: string;
  let scratch: string;
  let base: string;
  let token: string;
  let projectId: string;
  let repo: FixtureRepo;

  /** This app's backend row in HAProxy's statistics (CSV from the stats page). */
  const backendRow = async () => {
    const csv = await (await fetch(`${readClusterState(dataDir)!.statsUrl};csv`)).text();
    const [header, ...rows] = csv.split('\n');
    const names = header!.replace(/^# /, '').split(',');
    const slot = mapEntries(fs.readFileSync(edgeFiles(dataDir).map, 'utf8')).get('edge-app');
    const row = rows.map((r) => r.split(',')).find((r) => r[0] === `app_${slot}` && r[1] === 'BACKEND');
    return row ? Object.fromEntries(names.map((n, i) => [n, row[i]!])) : undefined;
  };
  /** The pid of HAProxy's current worker (a reload replaces it), from its admin socket. */
  const haproxyWorker = () =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(path.join(dataDir, 'cluster', 'haproxy.sock'));
      let answer = '';
      socket.on('connect', () => socket.end('show info\n'));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('end', () => resolve(/^Pid: (\d+)$/m.exec(answer)?.[1] ?? ''));
      socket.on('error', reject);
    });
  const deploy = async () => {
    const started = await call(base, 'POST', `/api/projects/${projectId}/deployments`, { token, body: {} });
    expect(started.status).toBe(201);
    let state = '';
    await waitUntil(async () => {
      state = (await call(base, 'GET', `/api/deployments/${started.body.id}`, { token })).body.state;
      return ['live', 'failed', 'cancelled'].includes(state);
    }, 120_000);
    expect(state).toBe('live');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-cluster-apps-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-cluster-apps-repo-'));
    repo = fixtureRepo(scratch, 'edge', app('v1'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    cluster = spawnAula(['cluster', '--api', '1', '--workers', '2'], {
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      AULA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AULA_ADMIN_EMAIL: 'admin@uni.example',
      AULA_ADMIN_PASSWORD: 'Adm1nPassword',
      AULA_DEPLOY_ALLOW_LOCAL_REPOS: 'true',
      AULA_DEPLOY_START_TIMEOUT_SECONDS: '20',
    });
    await waitForOk(`${base}/ready`, 120_000, cluster);
    await waitUntil(() => readClusterState(dataDir)?.instances.every((i) => i.state === 'ready') ?? false, 60_000);
    token = (await call(base, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'Adm1nPassword' } })).body.token;
    expect(token).toBeTruthy();
    await call(base, 'POST', '/api/subjects', { token, body: { code: 'EDGE', name: 'Edge' } });
    const course = (await call(base, 'POST', '/api/courses', { token, body: { subjectCode: 'EDGE', group: 'A', year: 2026, period: 2 } })).body.id;
    const project = await call(base, 'POST', '/api/projects', { token, body: { name: 'Edge app', slug: 'edge-app', courseId: course, repoUrl: repo.path } });
    expect(project.status).toBe(201);
    projectId = project.body.id;
  });

  afterAll(async () => {
    if (cluster && cluster.child.exitCode === null) {
      cluster.child.kill('SIGTERM');
      await Promise.race([cluster.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
      if (cluster.child.exitCode === null) cluster.child.kill('SIGKILL');
    }
    await db?.drop();
    for (const dir of [dataDir, scratch]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers from the app through its HAProxy backend, without the Authorization header, with the prefix and Aula’s security headers', async () => {
    const worker = await haproxyWorker();
    await deploy();
    let response = await fetch(`${base}/apps/edge-app/hello?x=1`, { headers: { authorization: `Bearer ${token}` } });
    await waitUntil(async () => {
      response = await fetch(`${base}/apps/edge-app/hello?x=1`, { headers: { authorization: `Bearer ${token}` } });
      return Number((await backendRow())?.hrsp_2xx ?? 0) > 0;
    }, 20_000);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ version: 'v1', url: '/apps/edge-app/hello?x=1', authorization: null, prefix: '/apps/edge-app' });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const own = await fetch(`${base}/apps/edge-app/own-frame-policy`);
    expect(own.headers.get('x-frame-options')).toBe('DENY');
    // Aula's own routes still answer through the same front.
    expect((await call(base, 'GET', '/api/auth/me', { token })).status).toBe(200);
    expect(await haproxyWorker()).toBe(worker); // a new app only added a map entry: no reload
  });

  it('carries an upgraded connection to the app and back', async () => {
    const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
    try {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.write('GET /apps/edge-app/echo HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
      await waitUntil(() => received.includes('\r\n\r\n'), 10_000);
      expect(received).toMatch(/^HTTP\/1\.1 101 /);
      received = '';
      socket.write('through the tunnel');
      await waitUntil(() => received === 'through the tunnel', 10_000);
    } finally {
      socket.destroy();
    }
  });

  it('switches to a new release with no failed request, and counts what HAProxy served on the app', async () => {
    repo.push(app('v2'), 'second');
    const worker = await haproxyWorker();
    let failed = 0;
    const reasons: string[] = [];
    let sent = 0;
    let switching = true;
    const load = (async () => {
      const deadline = Date.now() + 150_000;
      while (switching && sent < 50_000 && Date.now() < deadline) {
        sent++;
        const r = await fetch(`${base}/apps/edge-app/`).catch((e: Error) => e);
        if (r instanceof Error || r.status !== 200) {
          failed++;
          reasons.push(r instanceof Error ? `${r.message} ${String((r.cause as Error | undefined)?.message)}` : `${r.status} ${await r.text()}`);
        } else await r.arrayBuffer();
      }
    })();
    try {
      await deploy();
      await waitUntil(async () => ((await (await fetch(`${base}/apps/edge-app/`)).json()) as { version: string }).version === 'v2', 20_000);
    } finally {
      switching = false;
      await load;
    }
    expect(sent).toBeGreaterThan(0);
    expect(reasons).toEqual([]);
    expect(failed).toBe(0);
    expect(await haproxyWorker()).toBe(worker); // the switch re-pointed the link: no reload
    await waitUntil(async () => {
      const list = await call(base, 'GET', `/api/projects/${projectId}/deployments`, { token });
      return list.body.app.requests >= sent;
    }, 20_000);
    // /metrics of the API process shows the same count, though the API process served none of these requests.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const served = Number(/^aula_app_served_requests_total\{slug="edge-app"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(served).toBeGreaterThanOrEqual(sent);
    expect(metrics).toMatch(/^aula_app_sampled_memory_bytes\{slug="edge-app"\} [1-9]\d*$/m);
  });

  it('a stopped app is Aula’s again: 503 in the one error format, then served once started', async () => {
    const worker = await haproxyWorker();
    expect((await call(base, 'POST', `/api/projects/${projectId}/app/stop`, { token })).status).toBeLessThan(300);
    let stopped = { status: 0, body: {} as Record<string, unknown> };
    await waitUntil(async () => {
      // A kept-alive connection whose last request the app was answering as it was killed may be closed without an
      // answer (HAProxy leaves the retry of an idempotent request to the client, as browsers do): that is not the answer yet.
      stopped = await call(base, 'GET', '/apps/edge-app/').catch(() => ({ status: 0, headers: new Headers(), body: {} }));
      return stopped.status === 503 && (stopped.body.error as { message?: string } | undefined)?.message === 'the app is stopped';
    }, 20_000);
    expect(stopped.body).toEqual({ error: { code: 'unavailable', message: 'the app is stopped' } });
    expect((await call(base, 'POST', `/api/projects/${projectId}/app/start`, { token })).status).toBeLessThan(300);
    await waitUntil(async () => (await call(base, 'GET', '/apps/edge-app/')).status === 200, 30_000);
    expect(await haproxyWorker()).toBe(worker); // stop and start changed the map through the runtime API: no reload
  });
});
