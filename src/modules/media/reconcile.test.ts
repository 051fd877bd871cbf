import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { upload, waitForTask } from './test-helpers.ts';
import { fileKeys, TaskRepository } from './tasks.ts';

let app: TestApp;
let user: Awaited<ReturnType<typeof signUpAndLogIn>>;

beforeAll(async () => {
  app = await startTestApp({ queues: ['media.process', 'media.reconcile'], env: { AULA_MEDIA_RECONCILE_SECONDS: '1' } });
  user = await signUpAndLogIn(app.baseUrl, 'reconcile');
});
afterAll(async () => app.stop());

describe('reconciling tasks with their jobs', () => {
  it('a task row committed without its job (the API killed in between) is still processed', async () => {
    const id = randomUUID();
    await app.runtime.ctx!.storage.put(fileKeys(id).original, fs.createReadStream(await landscapeVideo(2, 'orphan.mp4')));
    // What an API process killed between the INSERT and queue.add() leaves behind: the row, the original, no job.
    await new TaskRepository(app.runtime.pool).create({ id, ownerId: user.id, title: 'orphan', originalType: 'video/mp4', idempotencyKey: 'orphan-key' });
    expect(await app.runtime.queues.queue('media.process').getJob(id)).toBeUndefined();

    const done = await waitForTask(app.baseUrl, user.token, id, 60_000);
    expect(done).toMatchObject({ status: 'processed', error: null });
    // A retry with the same Idempotency-Key gets that task, now processed.
    const retry = await call(app.baseUrl, 'POST', '/api/tasks', {
      token: user.token,
      headers: { 'idempotency-key': 'orphan-key' },
      body: { url: 'https://example.com/v.mp4' },
    });
    expect(retry.body).toMatchObject({ id, status: 'processed' });
  });

  it('a task whose job was removed from the queue gets a job again', async () => {
    const queue = app.runtime.queues.queue('media.process');
    await queue.pause();
    try {
      const created = (await upload(app.baseUrl, user.token, await landscapeVideo(2, 'removed.mp4'))).body;
      await queue.remove(created.id);
      expect(await queue.getJob(created.id)).toBeUndefined();
      await waitUntil(async () => (await queue.getJob(created.id)) !== undefined, 30_000);
    } finally {
      await queue.resume();
    }
  });
});
