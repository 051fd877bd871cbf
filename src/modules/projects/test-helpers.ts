import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DestinationStream } from 'pino';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call, type JsonResponse } from '../../../test/http.ts';
import type { QueueName } from '../../platform/queue/definitions.ts';
import { createAdmin } from '../identity/admin.ts';
import { createIdentity } from '../identity/service.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';

/** A signed-up user with a token. */
export type Account = Awaited<ReturnType<typeof signUpAndLogIn>>;

/** An app with two course groups and people in every role around them. */
export interface ProjectsWorld {
  app: TestApp;
  api: (method: string, path: string, token: string | undefined, body?: unknown) => Promise<JsonResponse>;
  admin: string;
  teacher: Account;
  otherTeacher: Account;
  /** Enrolled in course A. */
  alice: Account;
  bob: Account;
  carol: Account;
  /** Enrolled in course B only. */
  dave: Account;
  /** Enrolled nowhere. */
  outsider: Account;
  courseA: string;
  courseB: string;
  /** Adds a media task row owned by `ownerId` in the given status (a fixture: media's API would need ffmpeg). */
  addTask(ownerId: string, status: 'processed' | 'queued'): Promise<string>;
  stop(): Promise<void>;
}

/** Starts an app and sets up the course groups and accounts every projects test uses. */
export async function startProjectsWorld(
  opts: { env?: Record<string, string>; logDestination?: DestinationStream; queues?: QueueName[] } = {},
): Promise<ProjectsWorld> {
  const app = await startTestApp({
    env: { AULA_DEPLOY_ALLOW_LOCAL_REPOS: 'true', ...opts.env },
    ...(opts.logDestination ? { logDestination: opts.logDestination } : {}),
    ...(opts.queues ? { queues: opts.queues } : {}),
  });
  const api = (method: string, path: string, token: string | undefined, body?: unknown) =>
    call(app.baseUrl, method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
  await createAdmin(createIdentity(app.runtime.ctx!), { email: 'dean@uni.example', password: 'De4nPassword', username: 'dean' });
  const admin = (await api('POST', '/api/auth/login', undefined, { username: 'dean', password: 'De4nPassword' })).body.token as string;
  const makeTeacher = async (prefix: string) => {
    const account = await signUpAndLogIn(app.baseUrl, prefix);
    await api('PATCH', `/api/users/${account.id}/role`, admin, { role: 'teacher' });
    const refreshed = await api('POST', '/api/auth/refresh', undefined, { refreshToken: account.refreshToken });
    return { ...account, token: refreshed.body.token as string, refreshToken: refreshed.body.refreshToken as string };
  };
  const teacher = await makeTeacher('prof');
  const otherTeacher = await makeTeacher('prof2');
  const [alice, bob, carol, dave, outsider] = await Promise.all(['alice', 'bob', 'carol', 'dave', 'out'].map((p) => signUpAndLogIn(app.baseUrl, p)));
  await api('POST', '/api/subjects', teacher.token, { code: 'SWE', name: 'Software engineering' });
  const courseA = (await api('POST', '/api/courses', teacher.token, { subjectCode: 'SWE', group: 'A', year: 2026, period: 2 })).body.id as string;
  const courseB = (await api('POST', '/api/courses', otherTeacher.token, { subjectCode: 'SWE', group: 'B', year: 2026, period: 2 })).body.id as string;
  await api('POST', `/api/courses/${courseA}/enrolments`, teacher.token, { userIds: [alice!.id, bob!.id, carol!.id] });
  await api('POST', `/api/courses/${courseB}/enrolments`, otherTeacher.token, { userIds: [dave!.id] });
  const pool = new pg.Pool({ connectionString: app.db.url, max: 2 });
  return {
    app,
    api,
    admin,
    teacher,
    otherTeacher,
    alice: alice!,
    bob: bob!,
    carol: carol!,
    dave: dave!,
    outsider: outsider!,
    courseA,
    courseB,
    async addTask(ownerId, status) {
      const id = randomUUID();
      await pool.query('INSERT INTO media.tasks (id, owner_id, title, status) VALUES ($1, $2, $3, $4)', [id, ownerId, 'demo', status]);
      return id;
    },
    async stop() {
      await pool.end();
      await app.stop();
    },
  };
}
