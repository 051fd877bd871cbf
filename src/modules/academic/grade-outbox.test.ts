import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { startOwnRedis, type OwnRedis } from '../../../test/redis-server.ts';
import { waitUntil } from '../../../test/wait.ts';
import { createAdmin } from '../identity/admin.ts';
import { createIdentity } from '../identity/service.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';

let redis: OwnRedis;
let app: TestApp;
const api = (method: string, path: string, token: string, body?: unknown) =>
  call(app.baseUrl, method, path, { token, ...(body !== undefined ? { body } : {}) });

// Registered first, so it runs last — and runs even if stopping the app fails or times out.
afterAll(async () => redis?.remove());
afterAll(async () => {
  await redis?.start(); // so the app's Redis connections close cleanly
  await app?.stop();
});
beforeAll(async () => {
  redis = await startOwnRedis();
  app = await startTestApp({ queues: ['stats.grade-recorded'], env: { REDIS_URL: redis.url, AULA_REDIS_PREFIX: 'outbox-test' } });
});

describe('grade.recorded goes through the outbox', () => {
  it('with the queue down the grade is saved (200), and stats learn of it once the queue is back', async () => {
    await createAdmin(createIdentity(app.runtime.ctx!), { email: 'outbox-dean@uni.example', password: 'De4nPassword', username: 'outboxdean' });
    const admin = (await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'outboxdean', password: 'De4nPassword' } })).body.token as string;
    const teacher = await signUpAndLogIn(app.baseUrl, 'oprof');
    const student = await signUpAndLogIn(app.baseUrl, 'ostud');
    expect((await api('PATCH', `/api/users/${teacher.id}/role`, admin, { role: 'teacher' })).status).toBe(200);
    const teacherToken = (await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: teacher.refreshToken } })).body.token as string;
    expect((await api('POST', '/api/subjects', teacherToken, { code: 'OBX1', name: 'Outboxes' })).status).toBe(201);
    const course = (await api('POST', '/api/courses', teacherToken, { subjectCode: 'OBX1', group: 'A' })).body;
    expect((await api('POST', `/api/courses/${course.id}/enrolments`, teacherToken, { userIds: [student.id] })).body.enrolled).toEqual([student.id]);
    const assignment = (await api('POST', `/api/courses/${course.id}/assignments`, teacherToken, { title: 'Essay', dueAt: '2030-01-01T00:00:00Z' })).body;

    await redis.stop();
    const put = await api('PUT', `/api/assignments/${assignment.id}/grades/${student.id}`, teacherToken, { grade: 4 });
    expect(put.status).toBe(200);
    const saved = await app.runtime.pool.query('SELECT grade::float8 AS grade FROM academic.grades WHERE assignment_id = $1', [assignment.id]);
    expect(saved.rows).toEqual([{ grade: 4 }]);
    expect((await app.runtime.pool.query('SELECT count(*)::int AS n FROM academic.outbox')).rows[0].n).toBe(1);

    await redis.start();
    await waitUntil(async () => (await api('GET', `/api/stats/students/${student.id}/courses/${course.id}`, teacherToken)).status === 200, 30_000);
    expect((await api('GET', `/api/stats/students/${student.id}/courses/${course.id}`, teacherToken)).body).toMatchObject({ averageGrade: 4, gradeCount: 1 });
    await waitUntil(async () => (await app.runtime.pool.query('SELECT count(*)::int AS n FROM academic.outbox')).rows[0].n === 0);
  });
});
