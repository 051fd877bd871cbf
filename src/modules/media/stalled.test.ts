import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { spawnAula, type AulaProcess } from '../../../test/process.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { upload, waitForTask } from './test-helpers.ts';

let app: TestApp;
const workers: AulaProcess[] = [];

beforeAll(async () => {
  // The API and the reconciler in this process; media workers are separate processes that the test kills.
  app = await startTestApp({ queues: ['media.reconcile'], env: { AULA_JOB_LOCK_MS: '1000', AULA_MEDIA_RECONCILE_SECONDS: '1' } });
});
afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await app.stop();
});

function startWorkerProcess(): AulaProcess {
  const worker = spawnAula(['worker', '--queues', 'media.process'], { DATABASE_URL: app.db.url, AULA_DATA_DIR: app.config.dataDir, AULA_JOB_LOCK_MS: '1000' });
  workers.push(worker);
  return worker;
}

/** Pids of the encodes of the task that `parent` started (not its `ffmpeg -version` check at start). */
function encodesOf(parent: number, taskId: string): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-f', `aula-task-${taskId}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

describe('a job that stalls more often than BullMQ allows', () => {
  it('ends its task failed with a reason instead of leaving it processing for ever', async () => {
    const user = await signUpAndLogIn(app.baseUrl, 'stalled');
    const task = (await upload(app.baseUrl, user.token, await landscapeVideo(19, 'stall-me.mp4'))).body;
    // Two workers die in the middle of the encode: the first stall puts the job back, the second exceeds the limit (1).
    for (let round = 0; round < 2; round++) {
      const worker = startWorkerProcess();
      await waitUntil(() => encodesOf(worker.child.pid!, task.id).length > 0, 60_000);
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    startWorkerProcess(); // its stalled check moves the job to failed; no handler runs for it
    const done = await waitForTask(app.baseUrl, user.token, task.id, 60_000);
    expect(done).toMatchObject({ status: 'failed', error: 'the workers processing this video stopped repeatedly; please try again' });
    const job = await app.runtime.queues.queue('media.process').getJob(task.id);
    expect(await job?.getState()).toBe('failed');
    expect(job?.failedReason).toMatch(/stalled more than allowable limit/);
  });
});
