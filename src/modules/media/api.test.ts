import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { signedPath, verifySignature } from './links.ts';
import { upload } from './test-helpers.ts';

let app: TestApp;
let alice: Awaited<ReturnType<typeof signUpAndLogIn>>;
let bob: Awaited<ReturnType<typeof signUpAndLogIn>>;
let video: string;

beforeAll(async () => {
  app = await startTestApp({ queues: [], env: { AULA_MAX_UPLOAD_MB: '1' } }); // no media worker: tasks stay queued
  alice = await signUpAndLogIn(app.baseUrl, 'alice');
  bob = await signUpAndLogIn(app.baseUrl, 'bob');
  video = await landscapeVideo(2, 'api-small.mp4');
});
afterAll(async () => app.stop());

describe('task API', () => {
  it('creates from a multipart upload in field "file" or "video", with a default title', async () => {
    const a = await upload(app.baseUrl, alice.token, video, { title: 'My demo' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ title: 'My demo', status: 'queued', progress: 0, input: null, links: { processed: null } });
    const b = await upload(app.baseUrl, alice.token, video, { field: 'video' });
    expect(b.status).toBe(201);
    expect(b.body.title).toBe('Untitled video');
  });

  it('refuses a missing file, an unexpected field, no token, and bad JSON bodies', async () => {
    const form = new FormData();
    form.append('title', 'no file');
    const noFile = await fetch(`${app.baseUrl}/api/tasks`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}` }, body: form });
    expect(noFile.status).toBe(400);
    expect((await upload(app.baseUrl, alice.token, video, { field: 'attachment' })).status).toBe(400);
    expect((await upload(app.baseUrl, 'bad-token', video)).status).toBe(401);
    expect((await call(app.baseUrl, 'POST', '/api/tasks', { token: alice.token, body: { title: 'x' } })).status).toBe(400);
    expect((await call(app.baseUrl, 'POST', '/api/tasks', { token: alice.token, body: { url: 'ftp://example.com/a.mp4' } })).status).toBe(422);
  });

  it('answers 413 past AULA_MAX_UPLOAD_MB and keeps no partial file', async () => {
    const big = `${video}.big`;
    fs.writeFileSync(big, Buffer.alloc(1.5 * 1024 * 1024, 7));
    const before = await app.runtime.ctx!.storage.list('tasks/');
    const res = await upload(app.baseUrl, alice.token, big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await app.runtime.ctx!.storage.list('tasks/')).toEqual(before);
  });

  it('the same Idempotency-Key from the same user gives the same task', async () => {
    const headers = { 'idempotency-key': 'key-123' };
    const first = await upload(app.baseUrl, alice.token, video, { headers });
    const again = await upload(app.baseUrl, alice.token, video, { headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const otherUser = await upload(app.baseUrl, bob.token, video, { headers });
    expect(otherUser.body.id).not.toBe(first.body.id);
  });

  it('another user’s task is a 404 everywhere', async () => {
    const mine = (await upload(app.baseUrl, alice.token, video)).body;
    for (const [method, path] of [
      ['GET', `/api/tasks/${mine.id}`],
      ['DELETE', `/api/tasks/${mine.id}`],
      ['GET', `/api/tasks/${mine.id}/original`],
      ['GET', `/tasks/${mine.id}`],
    ] as const) {
      expect((await call(app.baseUrl, method, path, { token: bob.token })).status).toBe(404);
    }
    expect((await call(app.baseUrl, 'GET', '/api/tasks/not-a-uuid', { token: alice.token })).status).toBe(404);
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${mine.id}`, { token: alice.token })).status).toBe(200);
  });

  it('pages with max, order, status and cursor', async () => {
    const carol = await signUpAndLogIn(app.baseUrl, 'carol');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await upload(app.baseUrl, carol.token, video, { title: `t${i}` })).body.id);
    const list = (query: string) => call(app.baseUrl, 'GET', `/api/tasks?${query}`, { token: carol.token });

    const newest = await list('max=2');
    expect(newest.body.data.map((t: { id: string }) => t.id)).toEqual([ids[4], ids[3]]);
    const next = await list(`max=2&cursor=${newest.body.nextCursor}`);
    expect(next.body.data.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
    const last = await list(`max=2&cursor=${next.body.nextCursor}`);
    expect(last.body.data.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expect(last.body.nextCursor).toBeNull();

    const oldest = await list('max=3&order=0');
    expect(oldest.body.data.map((t: { id: string }) => t.id)).toEqual(ids.slice(0, 3));
    expect((await list(`order=0&cursor=${oldest.body.nextCursor}`)).body.data.map((t: { id: string }) => t.id)).toEqual(ids.slice(3));

    const client = new pg.Client({ connectionString: app.db.url });
    await client.connect();
    await client.query("UPDATE media.tasks SET status = 'failed', error = 'x' WHERE id = ANY($1)", [[ids[1], ids[3]]]);
    await client.end();
    expect((await list('status=failed')).body.data.map((t: { id: string }) => t.id)).toEqual([ids[3], ids[1]]);
    expect((await call(app.baseUrl, 'GET', '/tasks?status=queued', { token: carol.token })).body.data).toHaveLength(3);

    const oddCursor = Buffer.from(JSON.stringify({ createdAt: '2020', id: ids[0] })).toString('base64url');
    for (const bad of ['max=0', 'max=101', 'order=2', 'status=done', 'cursor=nonsense', `cursor=${oddCursor}`]) expect((await list(bad)).status).toBe(400);
  });

  it('serves byte ranges of a file', async () => {
    const task = (await upload(app.baseUrl, alice.token, video)).body;
    const whole = fs.readFileSync(video);
    const get = (range?: string) =>
      fetch(`${app.baseUrl}/api/tasks/${task.id}/original`, { headers: { authorization: `Bearer ${alice.token}`, ...(range ? { range } : {}) } });
    const full = await get();
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-type')).toBe('application/octet-stream'); // not probed yet: never the declared type
    expect(Buffer.from(await full.arrayBuffer()).equals(whole)).toBe(true);

    const part = await get('bytes=100-199');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(100, 200))).toBe(true);

    const tail = await get('bytes=-10');
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 10))).toBe(true);
    const open = await get(`bytes=${whole.length - 5}-`);
    expect(open.headers.get('content-range')).toBe(`bytes ${whole.length - 5}-${whole.length - 1}/${whole.length}`);
    const outside = await get(`bytes=${whole.length + 10}-`);
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${task.id}/processed`, { token: alice.token })).status).toBe(404); // not yet
  });

  it('signed links work without a token, and not once expired or tampered with', async () => {
    const task = (await upload(app.baseUrl, alice.token, video)).body;
    expect((await fetch(`${app.baseUrl}${task.links.original}`)).status).toBe(200);
    const secret = app.runtime.ctx!.jwtSecret;
    const issuedTwoHoursAgo = signedPath('/api/tasks', secret, task.id, 'original', 3600, Date.now() - 2 * 3600_000);
    expect((await fetch(`${app.baseUrl}${issuedTwoHoursAgo}`)).status).toBe(403);
    const forOtherFile = task.links.original.replace('/original?', '/thumbnail?');
    expect((await fetch(`${app.baseUrl}${forOtherFile}`)).status).toBe(403);
    expect((await fetch(`${app.baseUrl}${task.links.original.replace(/sig=./, 'sig=X')}`)).status).toBe(403);
    expect((await fetch(`${app.baseUrl}/api/tasks/${task.id}/original`)).status).toBe(401);

    const now = Date.now();
    const link = new URL(signedPath('/api/tasks', secret, task.id, 'original', 60, now), 'http://x');
    const [expires, sig] = [link.searchParams.get('expires')!, link.searchParams.get('sig')!];
    expect(verifySignature(secret, task.id, 'original', expires, sig, now + 59_000)).toBe(true);
    expect(verifySignature(secret, task.id, 'original', expires, sig, now + 61_000)).toBe(false);
  });

  it('DELETE removes the task and its files', async () => {
    const task = (await upload(app.baseUrl, alice.token, video)).body;
    expect(await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).toHaveLength(1);
    expect((await call(app.baseUrl, 'DELETE', `/api/tasks/${task.id}`, { token: alice.token })).status).toBe(204);
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token: alice.token })).status).toBe(404);
    expect(await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).toEqual([]);
    expect(await app.runtime.queues.queue('media.process').getJob(task.id)).toBeUndefined();
  });

  it('streams status changes as Server-Sent Events to their owner only', async () => {
    const controller = new AbortController();
    const response = await fetch(`${app.baseUrl}/api/tasks/events?access_token=${alice.token}`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff'); // hijacked, so helmet's hook does not reach it
    const reader = response.body!.getReader();
    let received = '';
    const mine = (await upload(app.baseUrl, alice.token, video, { title: 'sse' })).body;
    await upload(app.baseUrl, bob.token, video, { title: 'not for alice' });
    // Read until the event arrives or the stream ends (an ended stream must fail the test, not spin on empty reads).
    for (let chunk = await reader.read(); ; chunk = await reader.read()) {
      if (chunk.value) received += new TextDecoder().decode(chunk.value);
      if (chunk.done || received.includes(mine.id)) break;
    }
    controller.abort();
    expect(received).toContain(`"id":"${mine.id}","status":"queued"`);
    expect((await fetch(`${app.baseUrl}/api/tasks/events`)).status).toBe(401);
  });
});
