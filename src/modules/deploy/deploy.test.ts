import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import WebSocket from 'ws';
import { call } from '../../../test/http.ts';
import { waitUntil } from '../../../test/wait.ts';
import { fixtureRepo, nodeApp, startDeployWorld, type DeployWorld } from './test-helpers.ts';

let w: DeployWorld;

beforeAll(async () => {
  // Containers are tested in container.test.ts; here a Dockerfile-only project meets a server without them.
  w = await startDeployWorld({ AULA_DEPLOY_CONTAINERS: 'off' });
});
afterAll(async () => {
  await w?.stop();
});

describe('deploying a project', () => {
  it('serves a static site from its release at /apps/<slug>/', async () => {
    const repo = fixtureRepo(w.scratch, 'site', { 'index.html': '<h1>hello static</h1>', 'css/site.css': 'h1{}' });
    const id = await w.project('static-site', repo.path);
    const deployment = await w.deploy(id);
    expect(deployment).toMatchObject({ state: 'live', progress: 100, kind: 'static', reason: null });
    expect(deployment.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await w.get('/apps/static-site/')).toEqual({ status: 200, text: '<h1>hello static</h1>' });
    expect((await w.get('/apps/static-site/css/site.css')).text).toBe('h1{}');
    // Encoded, so that the client sends the dots instead of resolving them away (resolved, the path is
    // /etc/passwd: the web app's page once web/dist is built); the site's files are all that it serves.
    const traversal = await w.get('/apps/static-site/..%2F..%2F..%2F..%2Fetc%2Fpasswd');
    expect(traversal.status).toBe(403); // @fastify/static refuses a path that climbs out of the root, in the one error format
    expect(JSON.parse(traversal.text)).toMatchObject({ error: { code: 'forbidden' } });
    expect(traversal.text).not.toContain('root:');
    expect((await w.get('/apps/no-such-app/')).status).toBe(404);
    // Host routing: <slug>.<AULA_APPS_DOMAIN> is the same app on its own origin.
    const byHost = (pathname: string) =>
      request(`${w.app.baseUrl}${pathname}`, { headers: { host: 'static-site.apps.test' } }).then(async (r) => ({
        status: r.statusCode,
        text: await r.body.text(),
      }));
    expect(await byHost('/')).toEqual({ status: 200, text: '<h1>hello static</h1>' });
    expect((await byHost('/css/site.css')).text).toBe('h1{}');
    expect((await byHost('/apps/static-site/css/site.css')).text).toBe('h1{}');
  });

  it('runs a node:http app in the sandbox with its env vars, BASE_PATH and DATABASE_URL, and masks secrets in its log', async () => {
    const repo = fixtureRepo(w.scratch, 'node', nodeApp('v1'));
    const id = await w.project('node-app', repo.path);
    expect((await w.api('PUT', `/api/projects/${id}/env/GREETING`, w.alice.token, { value: 'hush-secret-value', scope: 'runtime' })).status).toBe(200);
    expect((await w.api('POST', `/api/projects/${id}/database`, w.alice.token)).status).toBe(201);
    const deployment = await w.deploy(id);
    expect(deployment).toMatchObject({ state: 'live', kind: 'node' });
    const answer = JSON.parse((await w.get('/apps/node-app/some/path?q=1')).text);
    expect(answer).toMatchObject({ version: 'v1', url: '/apps/node-app/some/path?q=1', basePath: '/apps/node-app', greeting: 'hush-secret-value' });
    expect(answer.databaseUrl).toMatch(/^postgres(ql)?:\/\//);
    // The sandbox has no network: the app reaches its own database over PostgreSQL's unix socket, and no other one.
    const database = (await w.api('GET', `/api/projects/${id}/database`, w.alice.token)).body.databaseName;
    expect(JSON.parse((await w.get('/apps/node-app/psql')).text)).toEqual({ db: database });
    const aulaDb = new URL(w.app.db.url).pathname.slice(1);
    expect(JSON.parse((await w.get(`/apps/node-app/psql?db=${aulaDb}`)).text)).toEqual({ db: 'refused' });
    expect(answer.uid).toBeGreaterThanOrEqual(200_000);
    const logs = await w.api('GET', `/api/deployments/${deployment.id}/logs`, w.alice.token);
    const text = logs.body.data.map((l: { line: string }) => l.line).join('\n');
    expect(text).toContain('listening on /run/aula/app.sock greeting ********');
    expect(text).not.toContain('hush-secret-value');

    const metrics = await (await fetch(`${w.app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/aula_app_requests_total\{slug="node-app",status="2xx"\} [1-9]/);
    expect(metrics).toMatch(/aula_app_memory_bytes\{slug="node-app"\} [1-9]/);
    expect(metrics).toMatch(/aula_app_restarts\{slug="node-app"\} 0/);
    // The same figures on the API: sampled by the supervisor, counted by the router.
    await waitUntil(async () => {
      const app = (await w.api('GET', `/api/projects/${id}/deployments`, w.teacher.token)).body.app;
      return app.requests >= 2 && app.usage !== null;
    });
    const app = (await w.api('GET', `/api/projects/${id}/deployments`, w.teacher.token)).body.app;
    expect(app).toMatchObject({ status: 'running', restarts: 0, responses5xx: 0 });
    expect(app.usage.memoryBytes).toBeGreaterThan(0);
  });

  it('carries WebSocket upgrades under /apps/<slug>/ to the app', async () => {
    // A WebSocket echo in plain node:http (short text frames only), since the fixture installs nothing.
    const server = `const http = require('node:http');
const crypto = require('node:crypto');
const server = http.createServer((req, res) => res.end('http'));
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  socket.on('data', (frame) => {
    if ((frame[0] & 0x0f) !== 1) return socket.end();
    const mask = frame.subarray(2, 6);
    const text = Buffer.from(frame.subarray(6, 6 + (frame[1] & 127)).map((b, i) => b ^ mask[i % 4])).toString();
    const reply = Buffer.from('echo ' + text + ' at ' + req.url);
    socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]));
  });
});
server.listen(process.env.PORT);
`;
    const repo = fixtureRepo(w.scratch, 'sockets', { 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }), 'server.js': server });
    const id = await w.project('sockets', repo.path);
    expect((await w.deploy(id)).state).toBe('live');
    const client = new WebSocket(`${w.app.baseUrl.replace('http', 'ws')}/apps/sockets/live`);
    try {
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      const answer = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
      client.send('hello');
      expect(await answer).toBe('echo hello at /apps/sockets/live');
    } finally {
      client.terminate();
    }
    const refused = new WebSocket(`${w.app.baseUrl.replace('http', 'ws')}/apps/no-such-app/`);
    const status = await new Promise<number>((resolve) =>
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).once('error', () => resolve(-1)),
    );
    expect(status).toBe(404);
  });

  it("streams a deployment's log and state over Server-Sent Events", async () => {
    const repo = fixtureRepo(w.scratch, 'streamed', { 'index.html': 'streamed' });
    const id = await w.project('streamed', repo.path);
    const started = (await w.api('POST', `/api/projects/${id}/deployments`, w.alice.token, {})).body;
    const abort = new AbortController();
    const response = await fetch(`${w.app.baseUrl}/api/deployments/${started.id}/logs`, {
      headers: { authorization: `Bearer ${w.alice.token}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    let seen = '';
    try {
      while (!seen.includes('"state":"live"') || !seen.includes('live at /apps/streamed/')) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
    } finally {
      abort.abort();
    }
    expect(seen).toContain('event: log');
    expect(seen).toContain('event: state');
    expect(seen).toContain('"state":"live"');
  });

  it('runs npm run build in the sandbox before it starts the app', async () => {
    const files = nodeApp('built', "const built = require('node:fs').readFileSync('built.txt', 'utf8');");
    const pkg = {
      name: 'fixture',
      version: '1.0.0',
      scripts: { build: "node -e \"require('fs').writeFileSync('built.txt', process.env.BUILD_FLAVOUR + ' ' + process.getuid())\"", start: 'node server.js' },
    };
    const repo = fixtureRepo(w.scratch, 'with-build', {
      ...files,
      'package.json': JSON.stringify(pkg),
      'server.js': files['server.js']!.replace('version: "built"', 'version: built'),
    });
    const id = await w.project('with-build', repo.path);
    await w.api('PUT', `/api/projects/${id}/env/BUILD_FLAVOUR`, w.alice.token, { value: 'crunchy', scope: 'build' });
    expect(await w.deploy(id)).toMatchObject({ state: 'live', kind: 'node' });
    const answer = JSON.parse((await w.get('/apps/with-build/')).text);
    expect(answer.version).toMatch(/^crunchy 2\d{5}$/);
    // Build-scope variables are for the build only.
    expect(answer.greeting).toBeUndefined();
  });

  it('serves what a build writes to dist/ as a static site, without following the links it makes', async () => {
    const build = "mkdir -p dist && echo '<p>built site</p>' > dist/index.html && ln -s /etc/hostname dist/leak.txt";
    const repo = fixtureRepo(w.scratch, 'spa', { 'package.json': JSON.stringify({ scripts: { build } }) });
    const id = await w.project('spa-site', repo.path);
    expect(await w.deploy(id)).toMatchObject({ state: 'live', kind: 'static' });
    expect(await w.get('/apps/spa-site/')).toEqual({ status: 200, text: '<p>built site</p>\n' });
    expect((await w.get('/apps/spa-site/leak.txt')).status).toBe(404);

    repo.push({ 'package.json': JSON.stringify({ scripts: { build: 'mkdir -p real && echo x > real/index.html && ln -s real dist' } }) });
    const linked = await w.deploy(id);
    expect(linked).toMatchObject({ state: 'failed', reason: "the static site's directory dist is a symbolic link; build real files into it" });
    expect((await w.get('/apps/spa-site/')).text).toBe('<p>built site</p>\n');
  });

  it('keeps the previous release serving when a build fails or the app never listens, and says why', async () => {
    const repo = fixtureRepo(w.scratch, 'steady', nodeApp('v1'));
    const id = await w.project('steady', repo.path);
    const first = await w.deploy(id);
    expect(first.state).toBe('live');

    repo.push({ ...nodeApp('v2'), 'package.json': JSON.stringify({ scripts: { build: 'echo compiling; exit 3', start: 'node server.js' } }) });
    const broken = await w.deploy(id);
    expect(broken).toMatchObject({ state: 'failed', progress: 20 });
    expect(broken.reason).toContain('the build failed: npm run build exited with code 3');
    expect(JSON.parse((await w.get('/apps/steady/')).text).version).toBe('v1');

    repo.push({ 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }), 'server.js': 'setInterval(() => {}, 1000);' });
    const silent = await w.deploy(id);
    expect(silent).toMatchObject({ state: 'failed', progress: 60 });
    expect(silent.reason).toContain('the app never answered on PORT within 5 s');
    expect(JSON.parse((await w.get('/apps/steady/')).text).version).toBe('v1');

    repo.push({ 'README.md': 'nothing here' });
    expect((await w.deploy(id)).reason).toContain('nothing to deploy');
    repo.push({ Dockerfile: 'FROM scratch' });
    expect((await w.deploy(id)).reason).toContain('container runtime');

    const list = await w.api('GET', `/api/projects/${id}/deployments`, w.alice.token);
    expect(list.body.app).toMatchObject({ url: '/apps/steady/', liveDeploymentId: first.id, status: 'running' });
    expect(list.body.data.map((d: { state: string }) => d.state)).toEqual(['failed', 'failed', 'failed', 'failed', 'live']);
  });

  it('deploys a commit by SHA, rolls back to a kept release, and runs two deploys of one project one after the other', async () => {
    const repo = fixtureRepo(w.scratch, 'history', nodeApp('one'));
    const firstSha = repo.push(nodeApp('one'));
    const id = await w.project('history', repo.path);
    const one = await w.deploy(id);
    expect(one.commitSha).toBe(firstSha);
    const secondSha = repo.push(nodeApp('two'));
    const [a, b] = await Promise.all([
      w.api('POST', `/api/projects/${id}/deployments`, w.alice.token, {}),
      w.api('POST', `/api/projects/${id}/deployments`, w.bob.token, { ref: firstSha }),
    ]);
    await Promise.all([w.finished(a.body.id), w.finished(b.body.id)]);
    const [da, db] = [await w.finished(a.body.id), await w.finished(b.body.id)];
    expect([da.state, db.state].sort()).toEqual(['live', 'retired']);
    const [earlier, later] = [da, db].sort((x, y) => Date.parse(x.startedAt as string) - Date.parse(y.startedAt as string));
    expect(Date.parse(later!.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(earlier!.finishedAt as string));
    expect(db.commitSha).toBe(firstSha);
    expect(da.commitSha).toBe(secondSha);

    const three = await w.deploy(id);
    expect(JSON.parse((await w.get('/apps/history/')).text).version).toBe('two');
    // Four releases so far; only the last three (AULA_DEPLOY_KEEP_RELEASES) can be rolled back to.
    expect((await w.api('GET', `/api/projects/${id}/deployments`, w.alice.token)).body.kept).toEqual([three.id, later!.id, earlier!.id]);
    expect((await w.api('POST', `/api/projects/${id}/rollback`, w.alice.token, { deploymentId: one.id })).status).toBe(404);
    const rollback = await w.api('POST', `/api/projects/${id}/rollback`, w.alice.token, { deploymentId: db.id });
    expect(rollback.status).toBe(201);
    const back = await w.finished(rollback.body.id);
    expect(back).toMatchObject({ state: 'live', rollbackOf: db.id, commitSha: firstSha });
    expect(JSON.parse((await w.get('/apps/history/')).text).version).toBe('one');
    expect((await w.api('POST', `/api/projects/${id}/rollback`, w.alice.token, { deploymentId: back.id })).status).toBe(409);
    expect((await w.api('POST', `/api/projects/${id}/rollback`, w.alice.token, { deploymentId: three.id })).status).toBe(201);
  });

  it('lets the team act, the teacher see and stop, and hides the app from everyone else', async () => {
    const repo = fixtureRepo(w.scratch, 'guarded', nodeApp('g'));
    const id = await w.project('guarded', repo.path);
    const live = await w.deploy(id);
    const paths = [`/api/projects/${id}/deployments`, `/api/deployments/${live.id}`, `/api/deployments/${live.id}/logs`];
    for (const path of paths) {
      expect((await w.api('GET', path, w.teacher.token)).status).toBe(200);
      expect((await w.api('GET', path, w.carol.token)).status).toBe(404);
      expect((await w.api('GET', path, w.otherTeacher.token)).status).toBe(404);
      expect((await w.api('GET', path, w.outsider.token)).status).toBe(404);
    }
    expect((await w.api('POST', `/api/projects/${id}/deployments`, w.teacher.token, {})).status).toBe(403);
    expect((await w.api('POST', `/api/projects/${id}/deployments`, w.carol.token, {})).status).toBe(404);
    expect((await w.api('POST', `/api/projects/${id}/deployments`, w.alice.token, { ref: '--upload-pack=evil' })).status).toBe(201);
    const stopped = await w.api('POST', `/api/projects/${id}/app/stop`, w.teacher.token);
    expect(stopped.body).toMatchObject({ desired: 'stopped', status: 'stopped' });
    expect((await w.get('/apps/guarded/')).status).toBe(503);
    await waitUntil(async () => (await w.api('GET', `/api/projects/${id}/deployments`, w.bob.token)).body.app.responses5xx === 1);
    expect((await w.api('POST', `/api/projects/${id}/app/start`, w.teacher.token)).status).toBe(403);
    expect((await w.api('POST', `/api/projects/${id}/app/start`, w.bob.token)).status).toBe(200);
    await waitUntil(async () => (await w.get('/apps/guarded/')).status === 200);
    expect(JSON.parse((await w.get('/apps/guarded/')).text).version).toBe('g');
  });

  it('answers a retried deploy with the same Idempotency-Key with the same deployment', async () => {
    const repo = fixtureRepo(w.scratch, 'retried', { 'index.html': 'ok' });
    const id = await w.project('retried', repo.path);
    const send = () =>
      call(w.app.baseUrl, 'POST', `/api/projects/${id}/deployments`, { token: w.alice.token, body: {}, headers: { 'idempotency-key': 'deploy-once-1' } });
    const [first, second] = [await send(), await send()];
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    await w.finished(first.body.id);
    expect((await w.api('GET', `/api/projects/${id}/deployments`, w.alice.token)).body.data).toHaveLength(1);
  });
});
