import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../src/modules/identity/admin.ts';
import { createIdentity } from '../src/modules/identity/service.ts';
import { startTestApp, type TestApp } from './app.ts';
import { call } from './http.ts';

let app: TestApp;
let admin: string;
const cursor = (createdAt: string) => Buffer.from(JSON.stringify({ createdAt, id: '00000000-0000-4000-8000-000000000000' })).toString('base64url');

beforeAll(async () => {
  app = await startTestApp();
  await createAdmin(createIdentity(app.runtime.ctx!), { email: 'odd-admin@uni.example', password: 'Odd4dminPass', username: 'oddadmin' });
  admin = (await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'oddadmin', password: 'Odd4dminPass' } })).body.token;
});
afterAll(async () => app.stop());

describe('odd input is a 400 in the one error format, never a 500', () => {
  it('crafted cursors: year 0000, 31 February, a non-canonical time', async () => {
    for (const createdAt of ['0000-01-01T00:00:00.000Z', '2026-02-31T00:00:00.000Z', '2026-04-31T10:00:00.000Z', '2026-01-01T24:00:00.000Z']) {
      const res = await call(app.baseUrl, 'GET', `/api/tasks?cursor=${cursor(createdAt)}`, { token: admin });
      expect(res.status, createdAt).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'cursor', message: 'is not a cursor from this API' }]);
    }
    expect((await call(app.baseUrl, 'GET', `/api/tasks?cursor=${cursor('2026-02-28T00:00:00.000Z')}`, { token: admin })).status).toBe(200);
  });

  it('impossible calendar dates in query strings and bodies', async () => {
    for (const path of [
      '/api/stats/courses/c/average?from=2026-02-31',
      '/api/stats/courses/c/average?to=0000-01-01',
      '/api/stats/courses/c/average?from=2026-02-29',
    ]) {
      const res = await call(app.baseUrl, 'GET', path, { token: admin });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    await call(app.baseUrl, 'POST', '/api/subjects', { token: admin, body: { code: 'CAL1', name: 'Calendars' } });
    const course = (await call(app.baseUrl, 'POST', '/api/courses', { token: admin, body: { subjectCode: 'CAL1', group: 'A' } })).body;
    for (const dueAt of ['2026-02-31T00:00:00Z', '0000-01-01T00:00:00Z']) {
      expect((await call(app.baseUrl, 'POST', `/api/courses/${course.id}/assignments`, { token: admin, body: { title: 'T', dueAt } })).status, dueAt).toBe(400);
    }
  });

  it('NUL characters in a query, a path or a JSON body, in every module', async () => {
    const cases: Array<[string, string, unknown?]> = [
      ['GET', '/api/users?q=%00'],
      ['GET', '/api/users?q=a%00b'],
      ['GET', '/api/stats/courses/x/on-time?groupBy=%00'],
      ['GET', '/api/subjects/%00'],
      ['PATCH', '/api/subjects/MATH%00', { name: 'x' }],
      ['POST', '/api/subjects', { code: 'NUL1', name: 'bad\u0000name' }],
      ['PATCH', '/api/auth/me', { username: 'bad\u0000name' }],
      ['POST', '/api/auth/login', { username: 'x\u0000', password: 'y' }],
      ['POST', '/api/stats/grades', { studentId: 's', courseId: 'c', grade: 1, eventId: 'e', 'odd\u0000key': 1 }],
    ];
    for (const [method, path, body] of cases) {
      const res = await call(app.baseUrl, method, path, { token: admin, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.code, `${method} ${path}`).toBe('validation_failed');
    }
    expect((await call(app.baseUrl, 'GET', '/api/subjects', { token: admin })).body.data.map((s: { code: string }) => s.code)).not.toContain('NUL1');
  });
});
