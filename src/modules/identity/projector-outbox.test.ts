import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { startOwnRedis, type OwnRedis } from '../../../test/redis-server.ts';
import { waitUntil } from '../../../test/wait.ts';
import { createAdmin } from './admin.ts';
import { createIdentity } from './service.ts';
import { signUpAndLogIn } from './test-helpers.ts';

let redis: OwnRedis;
let app: TestApp;
// Registered first, so it runs last — and runs even if stopping the app fails or times out.
afterAll(async () => redis?.remove());
afterAll(async () => {
  await redis?.start(); // so the app's Redis connections close cleanly
  await app?.stop();
});
beforeAll(async () => {
  redis = await startOwnRedis();
  app = await startTestApp({ queues: ['identity.project'], env: { REDIS_URL: redis.url } });
});

describe('the projector wake-up goes through identity’s job outbox', () => {
  it('a profile change while the queue is down answers 200 and reaches the directory once the queue is back', async () => {
    await createAdmin(createIdentity(app.runtime.ctx!), { email: 'proj-admin@uni.example', password: 'Pr0jAdminPass', username: 'projadmin' });
    const admin = (await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'projadmin', password: 'Pr0jAdminPass' } })).body.token as string;
    const user = await signUpAndLogIn(app.baseUrl, 'queuedown');
    const listed = async () => (await call(app.baseUrl, 'GET', `/api/users/${user.id}`, { token: admin })).body?.username;
    await waitUntil(async () => (await listed()) === user.username);

    await redis.stop();
    const renamed = `${user.username}r`;
    const changed = await call(app.baseUrl, 'PATCH', '/api/auth/me', { token: user.token, body: { username: renamed } });
    expect(changed.status).toBe(200);
    expect((await app.runtime.pool.query('SELECT count(*)::int AS n FROM identity.job_outbox')).rows[0].n).toBe(1);
    await redis.start();
    await waitUntil(async () => (await listed()) === renamed, 30_000);
  });
});
