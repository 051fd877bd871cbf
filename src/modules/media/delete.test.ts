import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { reconcileTasks } from './reconcile.ts';
import { upload } from './test-helpers.ts';

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ queues: [] }); // no workers: tasks stay queued with their job
  token = (await signUpAndLogIn(app.baseUrl, 'deleter')).token;
});
afterAll(async () => app.stop());

const taskDir = (id: string) => path.join(app.config.storageDir, 'tasks', id);

describe('deleting a task is all or nothing', () => {
  it('a failure inside the delete changes nothing; the next delete removes everything, folder included', async () => {
    const task = (await upload(app.baseUrl, token, await landscapeVideo(2, 'keep-me.mp4'))).body;
    await app.runtime.pool.query(`
      CREATE FUNCTION media.injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      CREATE TRIGGER injected_failure BEFORE INSERT ON media.file_deletions FOR EACH ROW EXECUTE FUNCTION media.injected_failure();`);
    try {
      const refused = await call(app.baseUrl, 'DELETE', `/api/tasks/${task.id}`, { token });
      expect(refused.status).toBe(500);
      expect(refused.body.error.code).toBeTypeOf('string');
    } finally {
      await app.runtime.pool.query('DROP TRIGGER injected_failure ON media.file_deletions; DROP FUNCTION media.injected_failure()');
    }
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token })).body).toMatchObject({ id: task.id, status: 'queued' });
    expect((await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).map((f) => path.basename(f.key))).toEqual(['original']);
    expect(await app.runtime.queues.queue('media.process').getJob(task.id)).toBeDefined();

    expect((await call(app.baseUrl, 'DELETE', `/api/tasks/${task.id}`, { token })).status).toBe(204);
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token })).status).toBe(404);
    expect(await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).toEqual([]);
    expect(fs.existsSync(taskDir(task.id))).toBe(false); // no empty folder left behind
    expect(await app.runtime.queues.queue('media.process').getJob(task.id)).toBeUndefined();
  });

  it('a storage failure after the commit: the task is gone at once and the reconciler removes its files later', async () => {
    const task = (await upload(app.baseUrl, token, await landscapeVideo(2, 'stubborn.mp4'))).body;
    const storage = app.runtime.ctx!.storage;
    const realDelete = storage.delete.bind(storage);
    storage.delete = async (key) => {
      if (key.endsWith('/original')) throw Object.assign(new Error('injected EIO'), { code: 'EIO' });
      return realDelete(key);
    };
    try {
      expect((await call(app.baseUrl, 'DELETE', `/api/tasks/${task.id}`, { token })).status).toBe(204);
    } finally {
      storage.delete = realDelete;
    }
    expect((await call(app.baseUrl, 'GET', `/api/tasks/${task.id}`, { token })).status).toBe(404);
    expect((await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).length).toBe(1); // not yet removed…
    await app.runtime.pool.query(`UPDATE media.file_deletions SET requested_at = now() - interval '1 minute' WHERE task_id = $1`, [task.id]);
    expect(await reconcileTasks(app.runtime.ctx!)).toMatchObject({ filesRemoved: 1 });
    expect(await app.runtime.ctx!.storage.list(`tasks/${task.id}/`)).toEqual([]); // …but once the reconciler ran
    expect(fs.existsSync(taskDir(task.id))).toBe(false);
    expect((await app.runtime.pool.query('SELECT 1 FROM media.file_deletions WHERE task_id = $1', [task.id])).rowCount).toBe(0);
  });
});
