import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRepo, nodeApp, startDeployWorld, type DeployWorld } from './test-helpers.ts';

let w: DeployWorld;

beforeAll(async () => {
  w = await startDeployWorld();
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
    expect((await w.get('/apps/static-site/../../../etc/passwd')).status).toBe(404);
    expect((await w.get('/apps/no-such-app/')).status).toBe(404);
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
    expect(answer.uid).toBeGreaterThanOrEqual(200_000);
    const logs = await w.api('GET', `/api/deployments/${deployment.id}/logs`, w.alice.token);
    const text = logs.body.data.map((l: { line: string }) => l.line).join('\n');
    expect(text).toContain('listening on /run/aula/app.sock greeting ********');
    expect(text).not.toContain('hush-secret-value');
  });
});
