import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.stop());

const TUS = { 'tus-resumable': '1.0.0' };
const meta = (pairs: Record<string, string>) =>
  Object.entries(pairs)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');

async function createUpload(token: string, length: number) {
  const res = await fetch(`${app.baseUrl}/api/tasks/uploads`, {
    method: 'POST',
    headers: {
      ...TUS,
      authorization: `Bearer ${token}`,
      'upload-length': String(length),
      'upload-metadata': meta({ filename: 'talk.mp4', filetype: 'video/mp4', title: 'My talk' }),
    },
  });
  expect(res.status).toBe(201);
  return new URL(res.headers.get('location')!, app.baseUrl).toString();
}

const patch = (url: string, token: string, offset: number, chunk: Buffer) =>
  fetch(url, {
    method: 'PATCH',
    headers: { ...TUS, authorization: `Bearer ${token}`, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    body: new Uint8Array(chunk),
  });

describe('resumable uploads (tus)', () => {
  it('an upload sent in two parts, resumed from the offset the server reports, becomes a queued task with the same bytes', async () => {
    const user = await signUpAndLogIn(app.baseUrl, 'tus');
    const bytes = randomBytes(300_000);
    const url = await createUpload(user.token, bytes.length);
    expect((await patch(url, user.token, 0, bytes.subarray(0, 100_000))).status).toBe(204);

    const head = await fetch(url, { method: 'HEAD', headers: { ...TUS, authorization: `Bearer ${user.token}` } });
    expect(head.headers.get('upload-offset')).toBe('100000');
    const last = await patch(url, user.token, 100_000, bytes.subarray(100_000));
    expect(last.status).toBe(204);
    const taskId = last.headers.get('aula-task-id')!;
    expect(url.endsWith(taskId)).toBe(true);

    const task = await call(app.baseUrl, 'GET', `/api/tasks/${taskId}`, { token: user.token });
    expect(task.body).toMatchObject({ id: taskId, title: 'My talk', status: 'queued' });
    const original = await fetch(`${app.baseUrl}/api/tasks/${taskId}/original`, { headers: { authorization: `Bearer ${user.token}` } });
    // Never the type the uploader declared: these bytes are no video ffprobe knows, so they download as octet-stream.
    expect(original.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await original.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('another user can neither see nor continue nor end someone’s upload (404); no token is a 401', async () => {
    const owner = await signUpAndLogIn(app.baseUrl, 'tusowner');
    const other = await signUpAndLogIn(app.baseUrl, 'tusother');
    const url = await createUpload(owner.token, 1000);
    expect((await fetch(url, { method: 'HEAD', headers: { ...TUS, authorization: `Bearer ${other.token}` } })).status).toBe(404);
    expect((await patch(url, other.token, 0, Buffer.alloc(1000))).status).toBe(404);
    expect((await fetch(url, { method: 'DELETE', headers: { ...TUS, authorization: `Bearer ${other.token}` } })).status).toBe(404);
    expect((await fetch(url, { method: 'HEAD', headers: TUS })).status).toBe(401);
    const mine = await fetch(url, { method: 'HEAD', headers: { ...TUS, authorization: `Bearer ${owner.token}` } });
    expect(mine.headers.get('upload-offset')).toBe('0');
  });

  it('refuses an upload larger than AULA_MAX_UPLOAD_MB with 413 and keeps nothing', async () => {
    const user = await signUpAndLogIn(app.baseUrl, 'tusbig');
    const res = await fetch(`${app.baseUrl}/api/tasks/uploads`, {
      method: 'POST',
      headers: { ...TUS, authorization: `Bearer ${user.token}`, 'upload-length': String(2 * 1024 ** 3) },
    });
    expect(res.status).toBe(413);
    const list = await call(app.baseUrl, 'GET', '/api/tasks', { token: user.token });
    expect(list.body.data).toEqual([]);
  });
});
