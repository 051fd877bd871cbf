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
    return execFileSync('pgrep', ['-f', `aula-task-${taskId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
};
const tempDirsFor = (taskId: string) => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(`aula-task-${taskId}`));

describe('cancelling a task', () => {
  it('DELETE during processing kills ffmpeg within a second and leaves no files', async () => {
    const task = (await upload(app.baseUrl, token, await landscapeVideo(19, 'cancel-me.mp4'))).body;
    await waitUntil(async () => {
      const current = (await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token })).body;
      return current.status === 'processing' && current.progress > 0;
    }, 30_000);
    expect(ffmpegFor(task.id).length).toBeGreaterThan(0);
    expect(tempDirsFor(task.id)).toHaveLength(1);

    expect((await call(app.baseUrl, 'DELETE', `/api/tasks/${task.id}`, { token })).status).toBe(204);
    await waitUntil(() => ffmpegFor(task.id).length === 0, 5000); // the worker polls every 300 ms
    await waitUntil(() => tempDirsFor(task.id).length === 0, 5000);
    expect(await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).toEqual([]);
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token })).status).toBe(404);
  });
});
