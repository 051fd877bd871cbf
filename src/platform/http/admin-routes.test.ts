import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { newAccount, signUpAndLogIn } from '../../modules/identity/test-helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { AULA_ADMIN_EMAIL: 'root@uni.example', AULA_ADMIN_PASSWORD: 'Adm1nPassword' } });
});
afterAll(async () => app.stop());

const adminLogin = (headers: Record<string, string> = {}) =>
  call(app.baseUrl, 'POST', '/api/auth/login', { body: { email: 'root@uni.example', password: 'Adm1nPassword' }, headers });

describe('admin pages', () => {
  it('lists the registered processes with their health, for admins only', async () => {
    const admin = await adminLogin();
    const res = await call(app.baseUrl, 'GET', '/api/admin/processes', { token: admin.body.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toContainEqual(expect.objectContaining({ role: 'start', pid: process.pid, health: 'alive', stoppedAt: null }));
    const student = await signUpAndLogIn(app.baseUrl, 'procs');
    expect((await call(app.baseUrl, 'GET', '/api/admin/processes', { token: student.token })).status).toBe(403);
    expect((await call(app.baseUrl, 'GET', '/api/admin/processes')).status).toBe(401);
  });

  it('serves the queue dashboard to an admin’s session cookie, refuses students, sends browsers without a session to log in', async () => {
    const admin = await adminLogin({ 'x-aula-session': 'cookie' });
    const cookie = admin.headers
      .getSetCookie()
      .find((c) => c.startsWith('aula_queues='))!
      .split(';')[0]!;
    const page = await fetch(`${app.baseUrl}/admin/queues`, { headers: { cookie, accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const queues = await fetch(`${app.baseUrl}/admin/queues/api/queues`, { headers: { cookie } });
    expect(queues.status).toBe(200);
    expect(JSON.stringify(await queues.json())).toContain('media.process');

    const account = newAccount('board');
    await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account });
    const student = await call(app.baseUrl, 'POST', '/api/auth/login', {
      body: { username: account.username, password: account.password },
      headers: { 'x-aula-session': 'cookie' },
    });
    const studentCookie = student.headers
      .getSetCookie()
      .find((c) => c.startsWith('aula_queues='))!
      .split(';')[0]!;
    expect((await fetch(`${app.baseUrl}/admin/queues/api/queues`, { headers: { cookie: studentCookie } })).status).toBe(403);
    const anonymous = await fetch(`${app.baseUrl}/admin/queues`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/login');
  });
});
