import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { startOwnRedis, type OwnRedis } from '../../../test/redis-server.ts';
import { waitUntil } from '../../../test/wait.ts';

const SERVICE_TOKEN = 't'.repeat(40);
let redis: OwnRedis;
let app: TestApp;
// Registered first, so it runs last — and runs even if stopping the app fails or times out.
afterAll(async () => redis?.stop());
afterAll(async () => {
  await redis?.start(); // so the app's Redis connections close cleanly
  await app?.stop();
});
beforeAll(async () => {
  redis = await startOwnRedis();
  app = await startTestApp({ queues: ['stats.grade-recorded'], env: { REDIS_URL: redis.url, AULA_STATS_SERVICE_TOKEN: SERVICE_TOKEN } });
});

describe('direct stats writes go through the stats outbox', () => {
  it('with the queue down the write is accepted (202) and counted once the queue is back', async () => {
    const service = { 'x-service-token': SERVICE_TOKEN };
    await redis.stop();
    const res = await call(app.baseUrl, 'POST', '/api/stats/grades', {
      headers: service,
      body: [
        { studentId: 'down-1', courseId: 'DOWN', grade: 2, eventId: 'd1' },
        { studentId: 'down-1', courseId: 'DOWN', grade: 4, eventId: 'd2' },
      ],
    });
    expect(res.status).toBe(202);
    await redis.start();
    await waitUntil(
      async () => (await app.runtime.pool.query("SELECT count(*)::int AS n FROM stats.grades WHERE student_id = 'down-1'")).rows[0].n === 2,
      30_000,
    );
    expect((await app.runtime.pool.query("SELECT avg(grade)::float8 AS avg FROM stats.grades WHERE student_id = 'down-1'")).rows[0].avg).toBe(3);
  });
});
