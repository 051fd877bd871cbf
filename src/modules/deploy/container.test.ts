import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { imageOf, PodmanRunner } from './sandbox/podman.ts';
import { waitUntil } from '../../../test/wait.ts';
import { fixtureRepo, startDeployWorld, type DeployWorld } from './test-helpers.ts';

const SOURCE = fileURLToPath(new URL('./fixtures/socket-server.c', import.meta.url));

/** The fixture server compiled statically (the image has nothing else), or undefined without a C compiler. */
function compileServer(dir: string): Buffer | undefined {
  try {
    execFileSync('gcc', ['-static', '-O2', '-o', path.join(dir, 'server'), SOURCE], { stdio: 'ignore' });
    return fs.readFileSync(path.join(dir, 'server'));
  } catch {
    return undefined;
  }
}

const podmanWorks =
  (await PodmanRunner.available()) &&
  (await new PodmanRunner('container-test-probe').check().then(
    () => true,
    () => false,
  ));

/** A Dockerfile project: the static server in an otherwise empty image. */
const dockerProject = (server: Buffer, version: string) => ({
  Dockerfile: `FROM scratch\nCOPY --chmod=755 server /server\nENV APP_VERSION=${version}\nCMD ["/server"]\n`,
  server,
});

describe.skipIf(!podmanWorks)('deploy: a Dockerfile project runs as a container (podman)', { timeout: 180_000 }, () => {
  let w: DeployWorld;
  let server: Buffer | undefined;
  /** Every image this file's deployments may have left in podman's store. */
  const deployments: string[] = [];
  const deploy = async (id: string) => {
    const done = await w.deploy(id);
    deployments.push(done.id as string);
    return done;
  };

  beforeAll(async () => {
    w = await startDeployWorld();
    server = compileServer(w.scratch);
  });
  afterAll(async () => {
    await w?.stop();
    for (const id of deployments) await new PodmanRunner('container-test-cleanup').removeImage(imageOf(id));
  });

  it('builds the image, runs it as the app uid with no network, switches releases and rolls back', async (context) => {
    if (!server) return context.skip('no C compiler to build the fixture server');
    const repo = fixtureRepo(w.scratch, 'boxed', dockerProject(server, 'v1'));
    const id = await w.project('boxed', repo.path);
    // The host's PostgreSQL port answers here; from inside the container it must not.
    const dbPort = new URL(inject('databaseUrl')).port || '5432';
    await new Promise<void>((resolve, reject) => net.connect(Number(dbPort), '127.0.0.1', resolve).on('error', reject).unref());
    expect((await w.api('PUT', `/api/projects/${id}/env/PROBE_PORT`, w.alice.token, { value: dbPort, scope: 'runtime' })).status).toBeLessThan(300);

    const first = await deploy(id);
    expect(first).toMatchObject({ state: 'live', kind: 'container', progress: 100 });
    const answer = JSON.parse((await w.get('/apps/boxed/')).text);
    expect(answer).toMatchObject({ version: 'v1', tcp: 'refused' });
    expect(answer.uid).toBeGreaterThanOrEqual(1000);
    const logs = await w.api('GET', `/api/deployments/${first.id}/logs`, w.alice.token);
    const lines = (logs.body.data as Array<{ line: string }>).map((l) => l.line);
    expect(lines.some((l) => l.includes('podman build --network=none'))).toBe(true);
    expect(lines).toContain('listening on /run/aula/app.sock');

    repo.push(dockerProject(server, 'v2'));
    expect(await deploy(id)).toMatchObject({ state: 'live', kind: 'container' });
    expect(JSON.parse((await w.get('/apps/boxed/')).text).version).toBe('v2');

    const rollback = await w.api('POST', `/api/projects/${id}/rollback`, w.alice.token, { deploymentId: first.id });
    expect(rollback.status).toBe(201);
    deployments.push(rollback.body.id);
    expect(await w.finished(rollback.body.id)).toMatchObject({ state: 'live', kind: 'container' });
    expect(JSON.parse((await w.get('/apps/boxed/')).text).version).toBe('v1');
  });

  it('keeps a container within its memory limit and says why it was killed', async (context) => {
    if (!server) return context.skip('no C compiler to build the fixture server');
    const id = await w.project('box-hog', fixtureRepo(w.scratch, 'box-hog', dockerProject(server, 'v1')).path);
    expect(await deploy(id)).toMatchObject({ state: 'live' });
    await w.get('/apps/box-hog/hog').catch(() => undefined);
    const app = async () => (await w.api('GET', `/api/projects/${id}/deployments`, w.alice.token)).body.app;
    await waitUntil(async () => (await app()).reason !== null, 30_000);
    expect((await app()).reason).toBe('the app was killed for using more than its 256 MB memory limit');
    expect((await w.api('POST', `/api/projects/${id}/app/stop`, w.alice.token)).status).toBe(200);
  });

  it('states why a Dockerfile that does not build failed, and the previous release keeps serving', async (context) => {
    if (!server) return context.skip('no C compiler to build the fixture server');
    const repo = fixtureRepo(w.scratch, 'broken-box', dockerProject(server, 'v1'));
    const id = await w.project('broken-box', repo.path);
    expect(await deploy(id)).toMatchObject({ state: 'live' });
    repo.push({ Dockerfile: 'FROM scratch\nCOPY missing-file /x\nCMD ["/x"]\n' });
    const broken = await deploy(id);
    expect(broken).toMatchObject({ state: 'failed' });
    expect(broken.reason).toContain('the build failed: podman build exited with code');
    expect(JSON.parse((await w.get('/apps/broken-box/')).text).version).toBe('v1');
  });
});
