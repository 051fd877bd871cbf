import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { waitUntil } from '../../../test/wait.ts';
import { startWorker } from '../../platform/queue/worker.ts';
import { identityQueues } from './queues.ts';
import { createIdentity } from './service.ts';
import { rebuildReadModel } from './projector.ts';
import { signUpAndLogIn } from './test-helpers.ts';

let app: TestApp;
let client: pg.Client;

const directory = async () => (await client.query('SELECT id, username, email, role, created_at, updated_at FROM identity.user_directory ORDER BY id')).rows;
const commandSide = async () => (await client.query('SELECT id, username, email, role FROM identity.users ORDER BY id')).rows;

beforeAll(async () => {
  app = await startTestApp({ queues: [] }); // no projector running yet
  client = new pg.Client({ connectionString: app.db.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await app.stop();
});

describe('the user_directory read model', () => {
  it('trails while no projector runs (lag in /metrics), then catches up once one starts', async () => {
    const users: Array<Awaited<ReturnType<typeof signUpAndLogIn>>> = [];
    for (let i = 0; i < 5; i++) users.push(await signUpAndLogIn(app.baseUrl, 'lag'));
    await call(app.baseUrl, 'PATCH', '/api/auth/me', { token: users[0]!.token, body: { username: `${users[0]!.username}renamed` } });
    expect(await directory()).toEqual([]);
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/aula_identity_projection_lag_events 6/);

    const ctx = app.runtime.ctx!;
    const worker = startWorker(ctx.queues, 'identity.project', identityQueues['identity.project'].handler(ctx), ctx.log);
    try {
      await waitUntil(async () => (await directory()).length === 5);
      await waitUntil(async () => (await directory()).some((u) => u.username === `${users[0]!.username}renamed`));
      const projected = (await directory()).map(({ id, username, email, role }) => ({ id, username, email, role }));
      expect(projected).toEqual(await commandSide());
      expect(await (await fetch(`${app.baseUrl}/metrics`)).text()).toMatch(/aula_identity_projection_lag_events 0/);
    } finally {
      await worker.stop(1000);
    }
  });

  it('a rebuild from the outbox gives the same rows', async () => {
    const before = await directory();
    await client.query("UPDATE identity.user_directory SET role = 'admin'"); // damage it
    const replayed = await rebuildReadModel(createIdentity(app.runtime.ctx!).db);
    expect(replayed).toBe(6);
    expect(await directory()).toEqual(before);
  });

  it('a replayed projection changes nothing (idempotent)', async () => {
    const before = await directory();
    await client.query("UPDATE identity.projection_state SET last_seq = 0 WHERE name = 'user_directory'");
    const ctx = app.runtime.ctx!;
    await identityQueues['identity.project'].handler(ctx)({ data: { reason: 'test' } } as never, new AbortController().signal, ctx.log);
    expect(await directory()).toEqual(before);
  });
});
