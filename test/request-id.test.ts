import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../src/modules/identity/admin.ts';
import { createIdentity } from '../src/modules/identity/service.ts';
import { newAccount, signUpAndLogIn } from '../src/modules/identity/test-helpers.ts';
import { startTestApp, type TestApp } from './app.ts';
import { call } from './http.ts';
import { waitUntil } from './wait.ts';

interface LogLine {
  msg?: string;
  queue?: string;
  jobId?: string;
  requestId?: string;
}
const lines: LogLine[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
    done();
  },
});
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ queues: ['stats.grade-recorded', 'identity.project'], env: { LOG_LEVEL: 'debug' }, logDestination: capture });
});
afterAll(async () => app.stop());

const jobLine = (queue: string, requestId: string) => lines.find((l) => l.msg === 'job completed' && l.queue === queue && l.requestId === requestId);

describe('the request id follows a request into its jobs', () => {
  it('sign-up → identity.project, a grade → (outbox) stats.grade-recorded, a direct stats write: each worker log line of the job carries it', async () => {
    await call(app.baseUrl, 'POST', '/api/auth/signup', { body: newAccount('traced'), headers: { 'x-request-id': 'trace-signup-1' } });
    await waitUntil(() => Boolean(jobLine('identity.project', 'trace-signup-1')));

    await createAdmin(createIdentity(app.runtime.ctx!), { email: 'trace-dean@uni.example', password: 'De4nPassword', username: 'tracedean' });
    const admin = (await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'tracedean', password: 'De4nPassword' } })).body.token as string;
    const student = await signUpAndLogIn(app.baseUrl, 'tracestud');
    await call(app.baseUrl, 'POST', '/api/subjects', { token: admin, body: { code: 'TRC1', name: 'Tracing' } });
    const course = (await call(app.baseUrl, 'POST', '/api/courses', { token: admin, body: { subjectCode: 'TRC1', group: 'A' } })).body;
    await call(app.baseUrl, 'POST', `/api/courses/${course.id}/enrolments`, { token: admin, body: { userIds: [student.id] } });
    const assignment = (
      await call(app.baseUrl, 'POST', `/api/courses/${course.id}/assignments`, { token: admin, body: { title: 'T', dueAt: '2030-01-01T00:00:00Z' } })
    ).body;
    const put = await call(app.baseUrl, 'PUT', `/api/assignments/${assignment.id}/grades/${student.id}`, {
      token: admin,
      body: { grade: 3 },
      headers: { 'x-request-id': 'trace-grade-1' },
    });
    expect(put.status).toBe(200);
    await waitUntil(() => Boolean(jobLine('stats.grade-recorded', 'trace-grade-1')));

    const direct = await call(app.baseUrl, 'POST', '/api/stats/grades', {
      token: admin,
      body: { studentId: 'x', courseId: 'y', grade: 1 },
      headers: { 'x-request-id': 'trace-direct-1' },
    });
    expect(direct.status).toBe(202);
    await waitUntil(() => Boolean(jobLine('stats.grade-recorded', 'trace-direct-1')));

    const started = lines.find((l) => l.msg === 'job started' && l.requestId === 'trace-grade-1');
    expect(started?.jobId).toBe(jobLine('stats.grade-recorded', 'trace-grade-1')?.jobId);
  });
});
