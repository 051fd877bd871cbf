import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { waitUntil } from '../../../test/wait.ts';
import type { GradeRecorded } from '../academic/events.ts';
import { createAdmin } from '../identity/admin.ts';
import { createIdentity } from '../identity/service.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';

type Account = Awaited<ReturnType<typeof signUpAndLogIn>>;
const SERVICE_TOKEN = 's'.repeat(40);
const COURSE = 'CS-101';
let app: TestApp;
let admin: string;
let s1: Account;
let s2: Account;
let teacher: Account;

const api = (method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>) =>
  call(app.baseUrl, method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

async function emit(events: GradeRecorded[]): Promise<void> {
  const queue = app.runtime.queues.queue('stats.grade-recorded');
  const jobs = await queue.addBulk(events.map((grade) => ({ name: 'grade.recorded', data: { grades: [grade] } })));
  await waitUntil(async () => (await Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!))?.getState()))).every((s) => s === 'completed'));
}

const event = (studentId: string, assignmentId: string, grade: number, onTime: boolean | null, gradedAt: string): GradeRecorded => ({
  studentId,
  courseId: COURSE,
  assignmentId,
  grade,
  onTime,
  gradedAt,
});

beforeAll(async () => {
  app = await startTestApp({ queues: ['stats.grade-recorded'], env: { AULA_STATS_SERVICE_TOKEN: SERVICE_TOKEN } });
  await createAdmin(createIdentity(app.runtime.ctx!), { email: 'stats-admin@uni.example', password: 'St4tsAdmin', username: 'statsadmin' });
  admin = (await api('POST', '/api/auth/login', undefined, { username: 'statsadmin', password: 'St4tsAdmin' })).body.token;
  s1 = await signUpAndLogIn(app.baseUrl, 'sone');
  s2 = await signUpAndLogIn(app.baseUrl, 'stwo');
  teacher = await signUpAndLogIn(app.baseUrl, 'steach');
  await api('PATCH', `/api/users/${teacher.id}/role`, admin, { role: 'teacher' });
  teacher.token = (await api('POST', '/api/auth/refresh', undefined, { refreshToken: teacher.refreshToken })).body.token;

  await emit([
    event(s1.id, 'a1', 4, true, '2026-03-30T10:00:00Z'), // Monday of ISO week 14, March, Q1
    event(s1.id, 'a2', 3, false, '2026-04-01T10:00:00Z'), // week 14, April, Q2
    event(s1.id, 'a3', 5, true, '2026-04-06T10:00:00Z'), // week 15
    event(s1.id, 'a4', 2.5, null, '2026-06-30T23:00:00Z'), // week 27, June, Q2, punctuality unknown
    event(s1.id, 'a5', 0, true, '2026-07-01T00:30:00Z'), // week 27, July, Q3; 0 is a grade
    event(s2.id, 'a2', 4.5, true, '2026-04-02T09:00:00Z'),
  ]);
  await emit([event(s1.id, 'a2', 3.5, false, '2026-04-01T12:00:00Z')]); // re-grade
});
afterAll(async () => app.stop());

describe('figures, checked against values worked out by hand', () => {
  it('a student in a course: average, count, on-time percentage (after the re-grade)', async () => {
    // grades 4, 3.5, 5, 2.5, 0 → 15 / 5 = 3; punctuality known for 4, on time 3 → 75 %
    expect((await api('GET', `/api/stats/students/${s1.id}/courses/${COURSE}`, s1.token)).body).toEqual({
      averageGrade: 3,
      gradeCount: 5,
      onTimePercentage: 75,
    });
  });

  it('a student’s averages by week, month, quarter and year', async () => {
    const by = async (groupBy: string) => (await api('GET', `/api/stats/students/${s1.id}/average?groupBy=${groupBy}`, s1.token)).body;
    expect((await by('week')).averages).toEqual([
      { period: '2026-W14', averageGrade: 3.75, gradeCount: 2 },
      { period: '2026-W15', averageGrade: 5, gradeCount: 1 },
      { period: '2026-W27', averageGrade: 1.25, gradeCount: 2 },
    ]);
    expect((await by('month')).averages).toEqual([
      { period: '2026-03', averageGrade: 4, gradeCount: 1 },
      { period: '2026-04', averageGrade: 4.25, gradeCount: 2 },
      { period: '2026-06', averageGrade: 2.5, gradeCount: 1 },
      { period: '2026-07', averageGrade: 0, gradeCount: 1 },
    ]);
    expect((await by('quarter')).averages).toEqual([
      { period: '2026-Q1', averageGrade: 4, gradeCount: 1 },
      { period: '2026-Q2', averageGrade: 3.67, gradeCount: 3 },
      { period: '2026-Q3', averageGrade: 0, gradeCount: 1 },
    ]);
    expect(await by('year')).toEqual({ averages: [{ period: '2026', averageGrade: 3, gradeCount: 5 }], timeRange: { from: null, to: null }, groupBy: 'year' });
    expect((await by('day')).averages[0]).toEqual({ period: '2026-03-30', averageGrade: 4, gradeCount: 1 });
  });

  it('from/to are inclusive days', async () => {
    const res = await api('GET', `/api/stats/students/${s1.id}/average?from=2026-04-01&to=2026-06-30`, s1.token);
    expect(res.body).toEqual({
      averages: [
        { period: '2026-04', averageGrade: 4.25, gradeCount: 2 },
        { period: '2026-06', averageGrade: 2.5, gradeCount: 1 },
      ],
      timeRange: { from: '2026-04-01', to: '2026-06-30' },
      groupBy: 'month',
    });
  });

  it('a course’s averages by month, its on-time figures, and one assignment', async () => {
    expect((await api('GET', `/api/stats/courses/${COURSE}/average?groupBy=month`, admin)).body.averages).toEqual([
      { period: '2026-03', averageGrade: 4, gradeCount: 1 },
      { period: '2026-04', averageGrade: 4.33, gradeCount: 3 }, // 3.5, 5, 4.5
      { period: '2026-06', averageGrade: 2.5, gradeCount: 1 },
      { period: '2026-07', averageGrade: 0, gradeCount: 1 },
    ]);
    expect((await api('GET', `/api/stats/courses/${COURSE}/on-time`, admin)).body).toEqual([{ period: 'all', onTimeCount: 4, totalCount: 5, percentage: 80 }]);
    expect((await api('GET', `/api/stats/courses/${COURSE}/on-time?groupBy=month`, admin)).body).toEqual([
      { period: '2026-03', onTimeCount: 1, totalCount: 1, percentage: 100 },
      { period: '2026-04', onTimeCount: 2, totalCount: 3, percentage: 66.67 },
      { period: '2026-06', onTimeCount: 0, totalCount: 0, percentage: null },
      { period: '2026-07', onTimeCount: 1, totalCount: 1, percentage: 100 },
    ]);
    expect((await api('GET', `/api/stats/courses/${COURSE}/students/${s1.id}/on-time?groupBy=quarter`, s1.token)).body).toEqual([
      { period: '2026-Q1', onTimeCount: 1, totalCount: 1, percentage: 100 },
      { period: '2026-Q2', onTimeCount: 1, totalCount: 2, percentage: 50 },
      { period: '2026-Q3', onTimeCount: 1, totalCount: 1, percentage: 100 },
    ]);
    expect((await api('GET', `/api/stats/courses/${COURSE}/assignments/a2/averages`, admin)).body).toEqual({
      assignmentId: 'a2',
      averageGrade: 4,
      gradeCount: 2,
      students: [
        { studentId: s1.id, grade: 3.5, onTime: false },
        { studentId: s2.id, grade: 4.5, onTime: true },
      ].sort((a, b) => a.studentId.localeCompare(b.studentId)),
    });
  });

  it('a student’s average next to the others’ (anonymous for a student)', async () => {
    expect((await api('GET', `/api/stats/students/${s1.id}/courses/${COURSE}/assignments/average`, s1.token)).body).toEqual({
      student: { studentId: s1.id, averageGrade: 3, gradeCount: 5 },
      others: [{ averageGrade: 4.5, gradeCount: 1 }],
    });
    expect((await api('GET', `/api/stats/students/${s1.id}/courses/${COURSE}/assignments/average`, admin)).body.others).toEqual([
      { studentId: s2.id, averageGrade: 4.5, gradeCount: 1 },
    ]);
  });

  it('a batch with the same key twice keeps the newest', async () => {
    const queue = app.runtime.queues.queue('stats.grade-recorded');
    const job = await queue.add('grade.recorded', {
      grades: [
        { studentId: 'dup-1', courseId: 'DUP', assignmentId: 'x', grade: 1, onTime: true, gradedAt: '2026-05-02T00:00:00Z' },
        { studentId: 'dup-1', courseId: 'DUP', assignmentId: 'x', grade: 2, onTime: true, gradedAt: '2026-05-01T00:00:00Z' },
      ],
    });
    await waitUntil(async () => (await (await queue.getJob(job.id!))?.getState()) === 'completed');
    expect((await api('GET', '/api/stats/students/dup-1/courses/DUP', admin)).body).toEqual({ averageGrade: 1, gradeCount: 1, onTimePercentage: 100 });
  });

  it('a replayed or stale grade.recorded changes nothing', async () => {
    const before = (await api('GET', `/api/stats/courses/${COURSE}/average?groupBy=day`, admin)).body;
    await emit([
      event(s1.id, 'a2', 3, false, '2026-04-01T10:00:00Z'),
      event(s1.id, 'a3', 5, true, '2026-04-06T10:00:00Z'),
      event(s1.id, 'a3', 5, true, '2026-04-06T10:00:00Z'),
    ]);
    expect((await api('GET', `/api/stats/courses/${COURSE}/average?groupBy=day`, admin)).body).toEqual(before);
    expect((await api('GET', `/api/stats/students/${s1.id}/courses/${COURSE}`, s1.token)).body.averageGrade).toBe(3);
  });
});

describe('access and errors', () => {
  it('a student sees only their own figures', async () => {
    expect((await api('GET', `/api/stats/students/${s2.id}/courses/${COURSE}`, s1.token)).status).toBe(404);
    expect((await api('GET', `/api/stats/students/${s2.id}/average`, s1.token)).status).toBe(404);
    expect((await api('GET', `/api/stats/courses/${COURSE}/average`, s1.token)).status).toBe(403);
    expect((await api('GET', `/api/stats/courses/${COURSE}/on-time`, s1.token)).status).toBe(403);
    expect((await api('GET', `/api/stats/courses/${COURSE}/students/${s2.id}/on-time`, s1.token)).status).toBe(404);
    expect((await api('GET', `/api/stats/students/${s1.id}/average`)).status).toBe(401);
  });

  it('a teacher sees only their groups’ figures', async () => {
    expect((await api('GET', `/api/stats/courses/${COURSE}/average`, teacher.token)).status).toBe(404);
    expect((await api('GET', `/api/stats/students/${s1.id}/average`, teacher.token)).status).toBe(403);
    await api('POST', '/api/subjects', teacher.token, { code: 'STAT1', name: 'Statistics' });
    const course = (await api('POST', '/api/courses', teacher.token, { subjectCode: 'STAT1', group: 'A', year: 2026, period: 1 })).body;
    await api('POST', `/api/courses/${course.id}/enrolments`, teacher.token, { userIds: [s1.id] });
    const assignment = (await api('POST', `/api/courses/${course.id}/assignments`, teacher.token, { title: 'Quiz', dueAt: '2030-01-01T00:00:00Z' })).body;
    await api('PUT', `/api/assignments/${assignment.id}/grades/${s1.id}`, teacher.token, { grade: 4.75 });
    await waitUntil(async () => (await api('GET', `/api/stats/courses/${course.id}/on-time`, teacher.token)).body?.[0]?.onTimeCount === 1);
    expect((await api('GET', `/api/stats/students/${s1.id}/courses/${course.id}`, teacher.token)).body).toEqual({
      averageGrade: 4.75,
      gradeCount: 1,
      onTimePercentage: 100,
    });
    expect((await api('GET', `/api/stats/courses/${course.id}/assignments/${assignment.id}/averages`, teacher.token)).body.averageGrade).toBe(4.75);
  });

  it('404 when a student has no grade in a course; 400 for bad ids, dates and groupBy', async () => {
    expect((await api('GET', `/api/stats/students/${s2.id}/courses/OTHER-1`, s2.token)).status).toBe(404);
    for (const path of [
      `/api/stats/students/${'x'.repeat(51)}/average`,
      '/api/stats/students/bad_id!/average',
      `/api/stats/students/${s1.id}/average?groupBy=decade`,
      `/api/stats/students/${s1.id}/average?from=2026-13-01`,
      `/api/stats/students/${s1.id}/average?from=2026-05-01&to=2026-04-01`,
      `/api/stats/students/${s1.id}/average?from=0000-01-01`,
      `/api/stats/courses/${COURSE}/on-time?groupBy=hour`,
    ]) {
      const res = await api('GET', path, admin);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('direct writes: admins, the service token, teachers for their groups; validated; visible soon after the 202', async () => {
    const one = { studentId: 'ext-student-1', courseId: 'EXT-9', grade: 0, assignmentId: 'q1', onTime: true };
    expect((await api('POST', '/api/stats/grades', admin, one)).status).toBe(202);
    expect((await api('POST', '/api/stats/grades', undefined, [{ ...one, assignmentId: 'q2', grade: 5 }], { 'x-service-token': SERVICE_TOKEN })).body).toEqual({
      queued: 1,
    });
    await waitUntil(async () => (await api('GET', '/api/stats/students/ext-student-1/courses/EXT-9', admin)).body?.gradeCount === 2);
    expect((await api('GET', '/api/stats/students/ext-student-1/courses/EXT-9', admin)).body).toEqual({
      averageGrade: 2.5,
      gradeCount: 2,
      onTimePercentage: 100,
    });

    expect((await api('POST', '/api/stats/grades', undefined, one, { 'x-service-token': 'wrong' })).status).toBe(401);
    expect((await api('POST', '/api/stats/grades', undefined, one)).status).toBe(401);
    expect((await api('POST', '/api/stats/grades', s1.token, one)).status).toBe(403);
    expect((await api('POST', '/api/stats/grades', teacher.token, one)).status).toBe(404); // not their course: one they may not know of, as in academic
    for (const bad of [
      { ...one, grade: 5.01 },
      { ...one, grade: -0.5 },
      { ...one, grade: 2.345 },
      { ...one, studentId: 'a'.repeat(51) },
      { ...one, courseId: 'has space' },
      { ...one, extra: 1 },
      [],
    ]) {
      expect((await api('POST', '/api/stats/grades', admin, bad)).status).toBe(400);
    }
  });
});

describe('direct writes: who may write for whom, and each grade’s identity', () => {
  let courseId: string;
  const summary = async (studentId: string, course: string) => (await api('GET', `/api/stats/students/${studentId}/courses/${course}`, admin)).body;

  beforeAll(async () => {
    await api('POST', '/api/subjects', teacher.token, { code: 'STAT2', name: 'Statistics II' });
    courseId = (await api('POST', '/api/courses', teacher.token, { subjectCode: 'STAT2', group: 'B', year: 2026, period: 2 })).body.id;
    await api('POST', `/api/courses/${courseId}/enrolments`, teacher.token, { userIds: [s1.id] });
  });

  it('a teacher writes only for students enrolled in their group (404 otherwise, and nothing of the list is kept)', async () => {
    const notEnrolled = await api('POST', '/api/stats/grades', teacher.token, { studentId: s2.id, courseId, grade: 1, eventId: 'e-not-enrolled' });
    expect(notEnrolled.status).toBe(404);
    expect(notEnrolled.body.error.details).toEqual([{ field: 'studentId', message: 'is not enrolled in this course' }]);
    const mixed = await api('POST', '/api/stats/grades', teacher.token, [
      { studentId: s1.id, courseId, grade: 2, eventId: 'e-mixed' },
      { studentId: 'not-a-uuid', courseId, grade: 2 },
    ]);
    expect(mixed.status).toBe(404);
    expect(mixed.body.error.details).toEqual([{ field: '1.studentId', message: 'is not enrolled in this course' }]);
    expect((await api('POST', '/api/stats/grades', teacher.token, { studentId: s1.id, courseId, grade: 3, eventId: 'e-ok' })).status).toBe(202);
    await waitUntil(async () => (await summary(s1.id, courseId))?.gradeCount === 1);
    expect((await api('GET', `/api/stats/students/${s2.id}/courses/${courseId}`, admin)).status).toBe(404);
  });

  it('grades without an assignment both count (1 then 5 → 2 grades); a replay by eventId or Idempotency-Key changes nothing', async () => {
    const one = { studentId: 'ext-student-2', courseId: 'EXT-10' };
    expect((await api('POST', '/api/stats/grades', admin, { ...one, grade: 1 })).status).toBe(202);
    expect((await api('POST', '/api/stats/grades', admin, { ...one, grade: 5 })).status).toBe(202);
    await waitUntil(async () => (await summary(one.studentId, one.courseId))?.gradeCount === 2);
    expect(await summary(one.studentId, one.courseId)).toMatchObject({ averageGrade: 3, gradeCount: 2 });

    for (let i = 0; i < 2; i++) {
      expect((await api('POST', '/api/stats/grades', admin, { ...one, grade: 2, eventId: 'exam-7' })).status).toBe(202);
      expect(
        (
          await api(
            'POST',
            '/api/stats/grades',
            admin,
            [
              { ...one, grade: 4 },
              { ...one, grade: 4 },
            ],
            { 'idempotency-key': 'batch-42' },
          )
        ).status,
      ).toBe(202);
    }
    // Every write above is in the outbox or the queue (202 comes after the append): wait until the
    // relay has moved them all (the outbox is empty), then until the queue has none left.
    await waitUntil(async () => (await app.runtime.pool.query('SELECT count(*)::int AS n FROM stats.outbox')).rows[0].n === 0);
    const queue = app.runtime.queues.queue('stats.grade-recorded');
    await waitUntil(async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0));
    expect(await summary(one.studentId, one.courseId)).toMatchObject({ averageGrade: 3.2, gradeCount: 5 }); // 1 5 2 4 4
    expect((await api('POST', '/api/stats/grades', admin, { ...one, grade: 1, eventId: 'bad id!' })).status).toBe(400);
    expect((await api('POST', '/api/stats/grades', admin, { ...one, grade: 1 }, { 'idempotency-key': 'bad key!' })).status).toBe(400);
  });
});
