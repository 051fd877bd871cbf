import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { spawnAula, type AulaProcess } from '../../../test/process.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { upload, waitForTask } from './test-helpers.ts';

let app: TestApp;
const workers: AulaProcess[] = [];

beforeAll(async () => {
  app = await startTestApp({ queues: [], env: { AULA_JOB_LOCK_MS: '2000' } }); // the API only; workers are separate processes
});
afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await app.stop();
});

function startWorkerProcess(): AulaProcess {
  const worker = spawnAula(['worker', '--queues', 'media.process'], {
    DATABASE_URL: app.db.url,
    AULA_DATA_DIR: app.config.dataDir,
    AULA_JOB_LOCK_MS: '2000',
  });
  workers.push(worker);
  return worker;
}

describe('a worker killed in the middle of an encode', () => {
  it('the job is taken over after the lock expires and the task ends processed exactly once', async () => {
    const events: string[] = [];
    const stop = await app.runtime.queues.subscribe('media.events', (event) => events.push(`${event.eventName}:${event.taskId}`));
    try {
      const user = await signUpAndLogIn(app.baseUrl, 'killer');
      const task = (await upload(app.baseUrl, user.token, await landscapeVideo(19, 'kill-me.mp4'))).body;

      const first = startWorkerProcess();
      await waitUntil(async () => (await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token: user.token })).body.progress > 0, 60_000);
      first.child.kill('SIGKILL');
      await first.exited;

      const second = startWorkerProcess();
      const done = await waitForTask(app.baseUrl, user.token, task.id, 120_000);
      expect(done.status).toBe('processed');
      expect(done.output).toMatchObject({ width: 1280, height: 720 });
      // Once the job is completed and no worker is left, nobody can publish another event for it;
      // once the outbox has published its event, a marker published after that arrives after every earlier event, since the stream is ordered.
      const job = await app.runtime.queues.queue('media.process').getJob(task.id);
      await waitUntil(async () => (await job!.getState()) === 'completed', 10_000);
      second.child.kill('SIGTERM');
      await second.exited;
      // The task's event is published from the outbox after the change commits: wait until it has gone out.
      await waitUntil(async () => (await app.runtime.pool.query('SELECT count(*)::int AS n FROM media.outbox')).rows[0].n === 0, 10_000);
      await app.runtime.queues.publish('media.events', { eventName: 'task.failed', taskId: 'end-marker', ownerId: 'test' });
      await waitUntil(() => events.includes('task.failed:end-marker'), 10_000);
      expect(events).toEqual([`task.processed:${task.id}`, 'task.failed:end-marker']);
      const files = (await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).map((f) => path.basename(f.key)).sort();
      expect(files).toEqual(['original', 'processed.mp4', 'thumbnail.jpg']);
      // The killed worker could not clean up; the next worker removed its folder at start, and its own when done.
      expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`aula-task-${task.id}`))).toEqual([]);
    } finally {
      await stop();
    }
  }, 240_000); // two worker starts and a takeover after the lock expires, on a shared machine
});
