import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { waitUntil } from '../../../test/wait.ts';
import { createAdmin } from './admin.ts';
import { createIdentity } from './service.ts';
import { signUpAndLogIn } from './test-helpers.ts';

let app: TestApp;
let adminToken: string;

beforeAll(async () => {
  app = await startTestApp({ queues: ['identity.project'] });
  await createAdmin(createIdentity(app.runtime.ctx!), { email: 'root@uni.example', password: 'R00tPassword', username: 'root' });
  const login = await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'root', password: 'R00tPassword' } });
  adminToken = login.body.token;
});
afterAll(async () => app.stop());

describe('user directory and roles', () => {
  it('students may not list users; teachers and admins may, with search and paging', async () => {
    const student = await signUpAndLogIn(app.baseUrl, 'dirstudent');
    expect((await call(app.baseUrl, 'GET', '/api/users', { token: student.token })).status).toBe(403);
    expect((await call(app.baseUrl, 'GET', '/api/users')).status).toBe(401);

    for (let i = 0; i < 3; i++) await signUpAndLogIn(app.baseUrl, 'pager');
    await waitUntil(async () => (await call(app.baseUrl, 'GET', '/api/users?q=PAGER', { token: adminToken })).body.total === 3);
    const page1 = await call(app.baseUrl, 'GET', '/api/users?q=pager&pageSize=2', { token: adminToken });
    const page2 = await call(app.baseUrl, 'GET', '/api/users?q=pager&pageSize=2&page=2', { token: adminToken });
    expect(page1.body.data).toHaveLength(2);
    expect(page2.body.data).toHaveLength(1);
    expect(new Set([...page1.body.data, ...page2.body.data].map((u: { id: string }) => u.id)).size).toBe(3);
    expect((await call(app.baseUrl, 'GET', '/api/users?pageSize=500', { token: adminToken })).status).toBe(400);
    expect((await call(app.baseUrl, 'GET', '/api/users?q=%25', { token: adminToken })).body.total).toBe(0);
  });

  it('an admin changes a role; the user sees it after refreshing; the directory follows', async () => {
    const user = await signUpAndLogIn(app.baseUrl, 'promoteme');
    const changed = await call(app.baseUrl, 'PATCH', `/api/users/${user.id}/role`, { token: adminToken, body: { role: 'teacher' } });
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe('teacher');
    expect((await call(app.baseUrl, 'GET', '/api/auth/me', { token: user.token })).body.role).toBe('teacher');
    expect((await call(app.baseUrl, 'GET', '/api/users', { token: user.token })).status).toBe(403); // old token, old role
    const refreshed = await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect((await call(app.baseUrl, 'GET', '/api/users', { token: refreshed.body.token })).status).toBe(200);
    await waitUntil(async () => (await call(app.baseUrl, 'GET', `/api/users/${user.id}`, { token: adminToken })).body?.role === 'teacher');
  });

  it('role changes: 403 for non-admins, 400 for an unknown role, 404 for unknown or malformed ids', async () => {
    const student = await signUpAndLogIn(app.baseUrl, 'roleguard');
    expect((await call(app.baseUrl, 'PATCH', `/api/users/${student.id}/role`, { token: student.token, body: { role: 'admin' } })).status).toBe(403);
    expect((await call(app.baseUrl, 'PATCH', `/api/users/${student.id}/role`, { token: adminToken, body: { role: 'king' } })).status).toBe(400);
    expect(
      (await call(app.baseUrl, 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000/role', { token: adminToken, body: { role: 'teacher' } })).status,
    ).toBe(404);
    expect((await call(app.baseUrl, 'PATCH', '/api/users/not-a-uuid/role', { token: adminToken, body: { role: 'teacher' } })).status).toBe(404);
    expect((await call(app.baseUrl, 'GET', '/api/users/not-a-uuid', { token: adminToken })).status).toBe(404);
    expect((await call(app.baseUrl, 'GET', '/api/auth/me', { token: student.token })).body.role).toBe('student');
  });

  it('the last admin cannot be demoted', async () => {
    const me = await call(app.baseUrl, 'GET', '/api/auth/me', { token: adminToken });
    const res = await call(app.baseUrl, 'PATCH', `/api/users/${me.body.id}/role`, { token: adminToken, body: { role: 'student' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('last_admin');
  });

  it('promote makes students teachers, leaves others, and reports unknown e-mails', async () => {
    const a = await signUpAndLogIn(app.baseUrl, 'promo');
    const b = await signUpAndLogIn(app.baseUrl, 'promo');
    const res = await call(app.baseUrl, 'POST', '/api/users/promote', {
      token: adminToken,
      body: { emails: [a.email.toUpperCase(), b.email, 'root@uni.example', 'ghost@uni.example'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.promoted.map((u: { id: string; role: string }) => [u.id, u.role]).sort()).toEqual(
      [
        [a.id, 'teacher'],
        [b.id, 'teacher'],
      ].sort(),
    );
    expect(res.body.unchanged.map((u: { role: string }) => u.role)).toEqual(['admin']);
    expect(res.body.unknownEmails).toEqual(['ghost@uni.example']);
    expect((await call(app.baseUrl, 'POST', '/api/users/promote', { token: adminToken, body: { emails: ['bad'] } })).status).toBe(400);
    expect((await call(app.baseUrl, 'POST', '/api/users/promote', { token: adminToken, body: { emails: [] } })).status).toBe(400);
    expect((await call(app.baseUrl, 'POST', '/api/users/promote', { token: a.token, body: { emails: [b.email] } })).status).toBe(403);
  });

  it('promote is all or nothing: a failure half-way (injected at the second user’s event) promotes nobody', async () => {
    const [a, b, c] = [await signUpAndLogIn(app.baseUrl, 'atomic'), await signUpAndLogIn(app.baseUrl, 'atomic'), await signUpAndLogIn(app.baseUrl, 'atomic')];
    const pool = app.runtime.pool;
    await pool.query(`CREATE FUNCTION identity.fail_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = 'user.role_changed' AND NEW.user_id = '${b.id}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await pool.query('CREATE TRIGGER fail_for_test BEFORE INSERT ON identity.outbox FOR EACH ROW EXECUTE FUNCTION identity.fail_for_test()');
    try {
      const res = await call(app.baseUrl, 'POST', '/api/users/promote', { token: adminToken, body: { emails: [a.email, b.email, c.email] } });
      expect(res.status).toBe(500);
      const roles = await pool.query('SELECT role FROM identity.users WHERE id = ANY($1::uuid[])', [[a.id, b.id, c.id]]);
      expect(roles.rows.map((r) => r.role)).toEqual(['student', 'student', 'student']);
    } finally {
      await pool.query('DROP TRIGGER fail_for_test ON identity.outbox; DROP FUNCTION identity.fail_for_test()');
    }
    const retry = await call(app.baseUrl, 'POST', '/api/users/promote', { token: adminToken, body: { emails: [a.email, b.email, c.email] } });
    expect(retry.body.promoted.map((u: { id: string }) => u.id).sort()).toEqual([a.id, b.id, c.id].sort());
  });
});
