import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { createAdmin } from '../identity/admin.ts';
import { createIdentity } from '../identity/service.ts';

let app: TestApp;
let admin: string;
let courseId: string;

const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(app.baseUrl, method, path, { token: admin, headers, ...(body !== undefined ? { body } : {}) });

beforeAll(async () => {
  app = await startTestApp();
  await createAdmin(createIdentity(app.runtime.ctx!), { email: 'registrar@uni.example', password: 'Regi5trarPass', username: 'registrar' });
  admin = (await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'registrar', password: 'Regi5trarPass' } })).body.token;
  await api('POST', '/api/subjects', { code: 'IDEM1', name: 'Retries' });
  courseId = (await api('POST', '/api/courses', { subjectCode: 'IDEM1', group: 'A', year: 2026, period: 1 })).body.id;
});
afterAll(async () => app.stop());

describe('adding an assignment with an Idempotency-Key', () => {
  const path = () => `/api/courses/${courseId}/assignments`;
  const homework = { title: 'Homework 1', dueAt: '2026-03-01T23:59:00.000Z' };

  it('a retry gets the assignment made the first time and creates no second one', async () => {
    const first = await api('POST', path(), homework, { 'idempotency-key': 'hw-1' });
    expect(first.status).toBe(201);
    const retry = await api('POST', path(), homework, { 'idempotency-key': 'hw-1' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await api('GET', path())).body.data).toHaveLength(1);
  });

  it('the same key with another body is a 422 and adds nothing; without a key each POST adds one', async () => {
    const reused = await api('POST', path(), { ...homework, title: 'Homework 2' }, { 'idempotency-key': 'hw-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect((await api('GET', path())).body.data).toHaveLength(1);
    expect((await api('POST', path(), homework)).status).toBe(201);
    expect((await api('POST', path(), homework)).status).toBe(201);
    expect((await api('GET', path())).body.data).toHaveLength(3);
  });
});
