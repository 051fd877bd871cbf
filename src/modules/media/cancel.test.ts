import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { upload } from './test-helpers.ts';

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ queues: ['media.process'] });
  token = (await signUpAndLogIn(app.baseUrl, 'canceller')).token;
});
afterAll(async () => app.stop());

const ffmpegFor = (taskId: string) => {
  try {
    return execFileSync('pgrep', ['-f', `aula-task-${taskId}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
};
const tempDirsFor = (taskId: string) => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(`aula-task-${taskId}`));

describe('cancelling a task', () => {
  it('DELETE during processing kills ffmpeg (announced by notification, no polling) and leaves no files', async () => {
    const task = (await upload(app.baseUrl, token, await landscapeVideo(19, 'cancel-me.mp4'))).body;
    await waitUntil(async () => {
      const current = (await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token })).body;
      return current.status === 'processing' && current.progress > 0;
    }, 30_000);
    const running = ffmpegFor(task.id);
    expect(running.length).toBeGreaterThan(0);
    expect(tempDirsFor(task.id)).toHaveLength(1);

    expect((await call(app.baseUrl, 'DELETE', `/api/tasks/${task.id}`, { token })).status).toBe(204);
    // The encode was killed, not finished: the job ends as cancelled, ffmpeg is gone, no output was stored.
    const job = await app.runtime.queues.queue('media.process').getJob(task.id);
    await waitUntil(async () => (await job!.getState()) === 'completed', 20_000);
    expect((await app.runtime.queues.queue('media.process').getJob(task.id))!.returnvalue).toEqual({ skipped: 'cancelled' });
    expect(running.filter((pid) => fs.existsSync(`/proc/${pid}`) && !/\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')))).toEqual([]);
    expect(tempDirsFor(task.id)).toEqual([]);
    expect(await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).toEqual([]);
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token })).status).toBe(404);
  });
});
