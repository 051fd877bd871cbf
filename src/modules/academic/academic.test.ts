import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { waitUntil } from '../../../test/wait.ts';
import { createAdmin } from '../identity/admin.ts';
import { createIdentity } from '../identity/service.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';

type Account = Awaited<ReturnType<typeof signUpAndLogIn>>;
let app: TestApp;
let admin: string;
let teacher: Account;
let otherTeacher: Account;
let student: Account;
let outsider: Account;

const api = (method: string, path: string, token: string | undefined, body?: unknown) =>
  call(app.baseUrl, method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });

async function makeTeacher(prefix: string): Promise<Account> {
  const account = await signUpAndLogIn(app.baseUrl, prefix);
  await api('PATCH', `/api/users/${account.id}/role`, admin, { role: 'teacher' });
  const refreshed = await api('POST', '/api/auth/refresh', undefined, { refreshToken: account.refreshToken });
  return { ...account, token: refreshed.body.token, refreshToken: refreshed.body.refreshToken };
}

beforeAll(async () => {
  app = await startTestApp({ queues: ['stats.grade-recorded'], env: { LOG_LEVEL: 'error' } });
  await createAdmin(createIdentity(app.runtime.ctx!), { email: 'dean@uni.example', password: 'De4nPassword', username: 'dean' });
  admin = (await api('POST', '/api/auth/login', undefined, { username: 'dean', password: 'De4nPassword' })).body.token;
  teacher = await makeTeacher('prof');
  otherTeacher = await makeTeacher('prof2');
  student = await signUpAndLogIn(app.baseUrl, 'stud');
  outsider = await signUpAndLogIn(app.baseUrl, 'outsider');
});
afterAll(async () => app.stop());

describe('subjects', () => {
  it('teachers create one or a list; students may not; duplicates are 409 and change nothing', async () => {
    expect((await api('POST', '/api/subjects', teacher.token, { code: 'MATH1', name: 'Mathematics I' })).status).toBe(201);
    const list = await api('POST', '/api/subjects', admin, [
      { code: 'PHYS1', name: 'Physics I' },
      { code: 'CHEM1', name: 'Chemistry I' },
    ]);
    expect(list.status).toBe(201);
    expect(list.body.created).toHaveLength(2);
    expect((await api('POST', '/api/subjects', student.token, { code: 'X1', name: 'x' })).status).toBe(403);
    const dup = await api('POST', '/api/subjects', teacher.token, [
      { code: 'BIO1', name: 'Biology' },
      { code: 'math1', name: 'again' },
    ]);
    expect(dup.status).toBe(409);
    const codes = (await api('GET', '/api/subjects', student.token)).body.data.map((s: { code: string }) => s.code);
    expect(codes).toEqual(['CHEM1', 'MATH1', 'PHYS1']);
    expect((await api('POST', '/api/subjects', teacher.token, { code: 'bad code!', name: 'x' })).status).toBe(400);
    expect((await api('POST', '/api/subjects', teacher.token, [])).status).toBe(400);
  });

  it('rename and delete; a subject in use cannot be deleted', async () => {
    expect((await api('PATCH', '/api/subjects/chem1', teacher.token, { name: 'Chemistry 1' })).body).toEqual({ code: 'CHEM1', name: 'Chemistry 1' });
    expect((await api('PATCH', '/api/subjects/NOPE', teacher.token, { name: 'x' })).status).toBe(404);
    expect((await api('DELETE', '/api/subjects/CHEM1', teacher.token)).status).toBe(204);
    expect((await api('DELETE', '/api/subjects/CHEM1', teacher.token)).status).toBe(404);
    await api('POST', '/api/courses', teacher.token, { subjectCode: 'PHYS1', group: 'P', year: 2026, period: 1 });
    expect((await api('DELETE', '/api/subjects/PHYS1', teacher.token)).status).toBe(409);
  });
});

describe('course groups, enrolments, assignments and grades', () => {
  let courseId: string;

  it('a teacher creates a group (period filled in), unique per subject, year, period and group', async () => {
    const created = await api('POST', '/api/courses', teacher.token, { subjectCode: 'math1', group: 'A', year: 2026 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ subjectCode: 'MATH1', subjectName: 'Mathematics I', year: 2026, group: 'A', teacherId: teacher.id });
    expect(created.body.period).toBe(new Date().getUTCMonth() < 6 ? 1 : 2);
    courseId = created.body.id;
    expect((await api('POST', '/api/courses', teacher.token, { subjectCode: 'MATH1', group: 'A', year: 2026, period: created.body.period })).status).toBe(409);
    expect((await api('POST', '/api/courses', teacher.token, { subjectCode: 'NOPE', group: 'A' })).status).toBe(404);
    expect((await api('POST', '/api/courses', teacher.token, { subjectCode: 'MATH1', group: 'B', teacherId: otherTeacher.id })).status).toBe(403);
    expect((await api('POST', '/api/courses', admin, { subjectCode: 'MATH1', group: 'B', teacherId: student.id })).status).toBe(400);
    expect((await api('POST', '/api/courses', admin, { subjectCode: 'MATH1', group: 'B', year: 2026, period: 2, teacherId: otherTeacher.id })).status).toBe(
      201,
    );
    expect((await api('POST', '/api/courses', student.token, { subjectCode: 'MATH1', group: 'C' })).status).toBe(403);
  });

  it('enrols by id and e-mail, reporting unknown ones; lists and removes students', async () => {
    const res = await api('POST', `/api/courses/${courseId}/enrolments`, teacher.token, {
      userIds: [student.id, '00000000-0000-4000-8000-000000000000'],
      emails: [outsider.email.toUpperCase(), 'ghost@uni.example'],
    });
    expect(res.status).toBe(200);
    expect(res.body.enrolled.sort()).toEqual([student.id, outsider.id].sort());
    expect(res.body.unknownEmails).toEqual(['ghost@uni.example']);
    expect(res.body.unknownUserIds).toEqual(['00000000-0000-4000-8000-000000000000']);
    const students = await api('GET', `/api/courses/${courseId}/students`, teacher.token);
    expect(students.body.data.map((s: { id: string }) => s.id).sort()).toEqual([student.id, outsider.id].sort());
    expect((await api('POST', `/api/courses/${courseId}/enrolments`, otherTeacher.token, { userIds: [student.id] })).status).toBe(404);
    expect((await api('POST', `/api/courses/${courseId}/enrolments`, student.token, { userIds: [student.id] })).status).toBe(403);
    expect((await api('POST', `/api/courses/${courseId}/enrolments`, teacher.token, { emails: ['nope'] })).status).toBe(400);
    expect((await api('DELETE', `/api/courses/${courseId}/enrolments/${outsider.id}`, teacher.token)).status).toBe(204);
    expect((await api('DELETE', `/api/courses/${courseId}/enrolments/${outsider.id}`, teacher.token)).status).toBe(404);
  });

  it('GET /api/courses: teachers their groups, students their enrolments, admins all, with filters and paging', async () => {
    const mine = await api('GET', '/api/courses', teacher.token);
    expect(mine.body.data.map((c: { group: string }) => c.group).sort()).toEqual(['A', 'P']);
    expect((await api('GET', '/api/courses', student.token)).body.data.map((c: { id: string }) => c.id)).toEqual([courseId]);
    expect((await api('GET', '/api/courses', outsider.token)).body.total).toBe(0);
    const all = await api('GET', '/api/courses?pageSize=2', admin);
    expect(all.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(all.body.data).toHaveLength(2);
    const second = (await api('GET', '/api/courses?period=2', admin)).body.data as Array<{ teacherId: string; period: number }>;
    expect(second.every((c) => c.period === 2)).toBe(true);
    expect(second.map((c) => c.teacherId)).toContain(otherTeacher.id);
    expect((await api('GET', '/api/courses?period=1', admin)).body.data.every((c: { period: number }) => c.period === 1)).toBe(true);
    expect((await api('GET', '/api/courses?subject=phys1', admin)).body.total).toBe(1);
    expect((await api('GET', `/api/courses/${courseId}`, student.token)).status).toBe(200);
    expect((await api('GET', `/api/courses/${courseId}`, outsider.token)).status).toBe(404);
    expect((await api('GET', `/api/courses/${courseId}`, otherTeacher.token)).status).toBe(404);
  });

  it('grades: the group’s teacher records and re-grades; scale and enrolment are checked; grade.recorded reaches stats', async () => {
    const assignment = (await api('POST', `/api/courses/${courseId}/assignments`, teacher.token, { title: 'Homework 1', dueAt: '2026-03-01T23:59:00Z' })).body;
    expect(assignment).toMatchObject({ courseId, title: 'Homework 1' });
    expect((await api('GET', `/api/courses/${courseId}/assignments`, student.token)).body.data).toHaveLength(1);
    const path = `/api/assignments/${assignment.id}/grades/${student.id}`;

    const late = await api('PUT', path, teacher.token, { grade: 3.5, submittedAt: '2026-03-02T10:00:00Z' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ grade: 3.5, onTime: false });
    const regraded = await api('PUT', path, teacher.token, { grade: 4.25, submittedAt: '2026-02-28T10:00:00Z' });
    expect(regraded.body).toMatchObject({ grade: 4.25, onTime: true });
    expect((await api('PUT', path, teacher.token, { grade: 0, onTime: false })).body).toMatchObject({ grade: 0, onTime: false });
    await api('PUT', path, teacher.token, { grade: 4.25, submittedAt: '2026-02-28T10:00:00Z' });

    for (const grade of [-1, 5.01, 4.255, 'A']) expect((await api('PUT', path, teacher.token, { grade })).status).toBe(400);
    expect((await api('PUT', path, teacher.token, { grade: 1, submittedAt: '0000-01-01T00:00:00Z' })).status).toBe(400);
    expect((await api('POST', `/api/courses/${courseId}/assignments`, teacher.token, { title: 'Old', dueAt: '0000-01-01T00:00:00Z' })).status).toBe(400);
    expect((await api('GET', '/api/courses?year=99999999999', admin)).status).toBe(400);
    expect((await api('PUT', path, otherTeacher.token, { grade: 1 })).status).toBe(404);
    expect((await api('PUT', path, student.token, { grade: 5 })).status).toBe(403);
    expect((await api('PUT', `/api/assignments/${assignment.id}/grades/${outsider.id}`, teacher.token, { grade: 2 })).status).toBe(404);

    expect((await api('GET', '/api/me/grades', student.token)).body.data).toEqual([
      expect.objectContaining({ assignmentId: assignment.id, grade: 4.25, onTime: true }),
    ]);
    expect((await api('GET', '/api/me/grades', outsider.token)).body.data).toEqual([]);
    expect((await api('GET', `/api/courses/${courseId}/grades`, teacher.token)).body.data).toHaveLength(1);
    expect((await api('GET', `/api/courses/${courseId}/grades`, student.token)).status).toBe(403);

    await waitUntil(async () => (await api('GET', `/api/stats/students/${student.id}/courses/${courseId}`, student.token)).body?.averageGrade === 4.25);
    expect((await api('GET', `/api/stats/students/${student.id}/courses/${courseId}`, student.token)).body).toEqual({
      averageGrade: 4.25,
      gradeCount: 1,
      onTimePercentage: 100,
    });
  });
});
