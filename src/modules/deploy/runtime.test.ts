import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { ALL_MODULES } from '../../app.ts';
import { startRuntime } from '../../platform/runtime.ts';
import { waitUntil } from '../../../test/wait.ts';
import { ReleasePaths } from './release.ts';
import { fixtureRepo, nodeApp, startDeployWorld, type DeployWorld } from './test-helpers.ts';

let w: DeployWorld;

beforeAll(async () => {
  // A shutdown gives running jobs 1 s, less than the build limit, so a build can be interrupted by one.
  // Releases of at most 1 MB: the fixtures are far smaller, the disk filler is not.
  w = await startDeployWorld({ AULA_DEPLOY_BUILD_TIMEOUT_SECONDS: '4', AULA_SHUTDOWN_TIMEOUT_MS: '1000', AULA_DEPLOY_MAX_RELEASE_MB: '1' });
});
afterAll(async () => {
  await w?.stop();
});

const forever = { 'package.json': JSON.stringify({ scripts: { build: 'node -e "setInterval(() => {}, 1000)"', start: 'node server.js' } }), 'server.js': '' };
const app = (id: string) => w.api('GET', `/api/projects/${id}/deployments`, w.alice.token).then((r) => r.body.app);

describe('builds and apps over time', () => {
  it('stops a build that never ends at its time limit', async () => {
    const repo = fixtureRepo(w.scratch, 'forever', forever);
    const id = await w.project('forever', repo.path);
    const deployment = await w.deploy(id);
    expect(deployment).toMatchObject({ state: 'failed', progress: 20 });
    expect(deployment.reason).toBe('the build took longer than 4 s and was stopped');
    expect(fs.existsSync(`/sys/fs/cgroup/pids/aula/build-${deployment.id}`)).toBe(false);
  });

  it('cancels a running build at once', async () => {
    const repo = fixtureRepo(w.scratch, 'cancelled', forever);
    const id = await w.project('cancel-me', repo.path);
    const started = (await w.api('POST', `/api/projects/${id}/deployments`, w.alice.token, {})).body;
    await waitUntil(() => fs.existsSync(`/sys/fs/cgroup/pids/aula/build-${started.id}`));
    const cancelled = await w.api('POST', `/api/deployments/${started.id}/cancel`, w.bob.token);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', reason: 'cancelled' });
    await waitUntil(() => !fs.existsSync(`/sys/fs/cgroup/pids/aula/build-${started.id}`));
    expect((await w.finished(started.id)).state).toBe('cancelled');
    expect((await w.api('POST', `/api/deployments/${started.id}/cancel`, w.alice.token)).status).toBe(409);
  });

  it('builds at most AULA_DEPLOY_CONCURRENCY (1) deployments at once', async () => {
    // Each build waits for a file the test writes into its checkout, so the test decides when it ends.
    const gated = {
      'package.json': JSON.stringify({ scripts: { build: 'node build.js' } }),
      'build.js':
        "const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync('go')) { clearInterval(t); fs.mkdirSync('dist'); fs.writeFileSync('dist/index.html', 'gated'); } }, 20);",
    };
    const [a, b] = [
      await w.project('gate-a', fixtureRepo(w.scratch, 'gate-a', gated).path),
      await w.project('gate-b', fixtureRepo(w.scratch, 'gate-b', gated).path),
    ];
    const first = (await w.api('POST', `/api/projects/${a}/deployments`, w.alice.token, {})).body.id as string;
    const second = (await w.api('POST', `/api/projects/${b}/deployments`, w.alice.token, {})).body.id as string;
    const building = (id: string) => fs.existsSync(`/sys/fs/cgroup/pids/aula/build-${id}`);
    await waitUntil(() => building(first));
    expect((await w.api('GET', `/api/deployments/${second}`, w.alice.token)).body.state).toBe('queued');
    fs.writeFileSync(path.join(new ReleasePaths(w.app.config.dataDir).app(first), 'go'), '');
    await waitUntil(() => building(second));
    expect((await w.finished(first)).state).toBe('live');
    fs.writeFileSync(path.join(new ReleasePaths(w.app.config.dataDir).app(second), 'go'), '');
    expect((await w.finished(second)).state).toBe('live');
  });

  it('removes the app and its releases when the project is deleted', async () => {
    const repo = fixtureRepo(w.scratch, 'doomed', nodeApp('doomed'));
    const id = await w.project('doomed', repo.path);
    const live = await w.deploy(id);
    expect((await w.get('/apps/doomed/')).status).toBe(200);
    expect((await w.api('DELETE', `/api/projects/${id}`, w.alice.token)).status).toBe(204);
    await waitUntil(async () => (await w.get('/apps/doomed/')).status === 404);
    await waitUntil(() => !fs.existsSync(new ReleasePaths(w.app.config.dataDir).release(live.id as string)));
    expect((await w.api('GET', `/api/deployments/${live.id}`, w.teacher.token)).status).toBe(404);
  });

  it('restarts an app that crashes, then marks it crashed after 5 restarts', async () => {
    // It crashes 1.5 s after it starts: long enough to pass the health check on a loaded machine.
    const repo = fixtureRepo(w.scratch, 'crashy', nodeApp('crashy', "setTimeout(() => { console.log('giving up'); process.exit(3); }, 1500);"));
    const id = await w.project('crashy', repo.path);
    expect((await w.deploy(id)).state).toBe('live');
    await waitUntil(async () => (await app(id)).status === 'crashed', 60_000);
    expect(await app(id)).toMatchObject({ status: 'crashed', restarts: 5, reason: 'the app exited with code 3' });
    const logs = (await w.api('GET', `/api/deployments/${(await app(id)).liveDeploymentId}/logs`, w.alice.token)).body.data.map(
      (l: { line: string }) => l.line,
    );
    expect(logs.filter((l: string) => l === 'giving up')).toHaveLength(6);
  });

  it('reports an app killed for memory as such', async () => {
    const hog = 'setTimeout(() => { const a = []; for (;;) a.push(Buffer.alloc(8 << 20, 1)); }, 1500);';
    const id = await w.project('hungry', fixtureRepo(w.scratch, 'hungry', nodeApp('hungry', hog)).path);
    expect((await w.deploy(id)).state).toBe('live');
    await waitUntil(async () => (await app(id)).reason !== null, 30_000);
    expect((await app(id)).reason).toBe('the app was killed for using more than its 256 MB memory limit');
    expect((await w.api('POST', `/api/projects/${id}/app/stop`, w.alice.token)).status).toBe(200);
  });

  it('kills an app that fills its directory past the release limit, and says so', async () => {
    const filler = "require('node:fs').writeFileSync('/app/filler.bin', Buffer.alloc(2 << 20, 1));";
    const id = await w.project('filler', fixtureRepo(w.scratch, 'filler', nodeApp('filler', filler)).path);
    expect((await w.deploy(id)).state).toBe('live');
    await waitUntil(async () => (await app(id)).reason !== null, 30_000);
    expect((await app(id)).reason).toBe('the app was killed for storing more than 1 MB in its directory');
    expect((await w.api('POST', `/api/projects/${id}/app/stop`, w.alice.token)).status).toBe(200);
  });

  it('brings live apps back after Aula restarts, and runs a build the shutdown interrupted again', async () => {
    const repo = fixtureRepo(w.scratch, 'durable', nodeApp('durable'));
    const id = await w.project('durable', repo.path);
    expect((await w.deploy(id)).state).toBe('live');
    const other = await w.project('interrupted', fixtureRepo(w.scratch, 'interrupted', forever).path);
    const building = (await w.api('POST', `/api/projects/${other}/deployments`, w.alice.token, {})).body.id as string;
    await waitUntil(() => fs.existsSync(`/sys/fs/cgroup/pids/aula/build-${building}`));
    await w.app.runtime.stop();
    expect(fs.existsSync(`/sys/fs/cgroup/pids/aula/build-${building}`)).toBe(false);
    const again = await startRuntime(
      w.app.config,
      { role: 'start', installed: ALL_MODULES, modules: ALL_MODULES, http: true, queues: ['deploy.build'] },
      createLogger('silent', {}),
    );
    try {
      const address = again.app!.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      await waitUntil(async () => (await fetch(`${base}/apps/durable/`)).status === 200);
      expect(JSON.parse(await (await fetch(`${base}/apps/durable/`)).text()).version).toBe('durable');
      const get = async () =>
        (await (await fetch(`${base}/api/deployments/${building}/logs`, { headers: { authorization: `Bearer ${w.alice.token}` } })).json()) as {
          deployment: { state: string; reason: string };
          data: Array<{ line: string }>;
        };
      await waitUntil(async () => (await get()).deployment.state === 'failed', 30_000);
      const { deployment, data } = await get();
      expect(deployment.reason).toBe('the build took longer than 4 s and was stopped');
      expect(data.map((l) => l.line)).toContain('interrupted by a server shutdown; it will run again');
    } finally {
      await again.stop();
    }
  });
});
