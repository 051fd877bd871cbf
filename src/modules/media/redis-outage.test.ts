import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { startOwnRedis, type OwnRedis } from '../../../test/redis-server.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { upload } from './test-helpers.ts';

let redis: OwnRedis;
let app: TestApp;
let token: string;
let video: string;

beforeAll(async () => {
  redis = await startOwnRedis();
  app = await startTestApp({ env: { REDIS_URL: redis.url } }); // no workers: jobs stay in the queue
  token = (await signUpAndLogIn(app.baseUrl, 'outage')).token;
  video = await landscapeVideo(1, 'outage.mp4');
});
afterAll(async () => {
  await app?.stop();
  await redis?.remove();
});

describe('uploads during a Redis outage', () => {
  it('fail fast with 503 queue_unavailable while Redis is down, keep nothing, and work again once it is back', async () => {
    const before = await upload(app.baseUrl, token, video);
    expect(before.status).toBe(201);

    await redis.stop();
    // Answered while Redis is still down: before, the request waited for the whole outage.
    const during = await upload(app.baseUrl, token, video);
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('queue_unavailable');
    const listed = await call(app.baseUrl, 'GET', '/api/tasks', { token });
    expect(listed.body.data.map((t: { id: string }) => t.id)).toEqual([before.body.id]);
    expect(await app.runtime.ctx!.storage.list('tasks/')).toEqual([expect.objectContaining({ key: `tasks/${before.body.id}/original` })]);

    await redis.start();
    await waitUntil(async () => (await fetch(`${app.baseUrl}/ready`)).status === 200, 30_000);
    let after: Awaited<ReturnType<typeof upload>> | undefined;
    await waitUntil(async () => {
      after = await upload(app.baseUrl, token, video); // the producer reconnects on its own schedule
      return after.status !== 503;
    }, 30_000);
    expect(after!.status).toBe(201);
    const queue = app.runtime.queues.queue('media.process');
    expect(await queue.getJob(before.body.id)).toBeDefined(); // nothing accepted before the outage was lost
    expect(await queue.getJob(after!.body.id)).toBeDefined();
  });
});
