import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { createLogger } from '../../platform/logger.ts';
import { startWorker, type RunningWorker } from '../../platform/queue/worker.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { DISK_FULL } from './failures.ts';
import { createProcessor } from './processor.ts';
import { upload, waitForTask } from './test-helpers.ts';

// A real full file system: a small tmpfs as the storage directory (needs root, as the test machine is).
const asRoot = process.getuid?.() === 0;
const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-full-disk-'));
let mounted = false;
let app: TestApp | undefined;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  if (!asRoot) return;
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
  mounted = true;
  app = await startTestApp({ queues: [], env: { AULA_STORAGE_DIR: mountPoint } });
});
afterAll(async () => {
  await worker?.stop(1000);
  await app?.stop();
  if (mounted) execFileSync('umount', [mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

describe('a worker whose output cannot be stored because the disk is full', () => {
  it.skipIf(!asRoot)('fails the task with a clear reason after its retries, leaving no partial file', async () => {
    const user = await signUpAndLogIn(app!.baseUrl, 'fulldisk');
    const task = (await upload(app!.baseUrl, user.token, await landscapeVideo(3, 'fills-the-disk.mp4'))).body;
    // Fill what is left of the file system, so the rendered video cannot be written.
    const { bavail, bsize } = fs.statfsSync(mountPoint);
    fs.writeFileSync(path.join(mountPoint, 'filler'), Buffer.alloc(bavail * bsize));
    expect(() => fs.writeFileSync(path.join(mountPoint, 'probe'), Buffer.alloc(64 * 1024))).toThrow(/ENOSPC/);

    worker = startWorker(app!.runtime.queues, 'media.process', createProcessor(app!.runtime.ctx!), createLogger('silent'));
    const done = await waitForTask(app!.baseUrl, user.token, task.id, 90_000);
    expect(done).toMatchObject({ status: 'failed', error: DISK_FULL });
    const queue = app!.runtime.queues.queue('media.process');
    await waitUntil(async () => (await (await queue.getJob(task.id))?.getState()) === 'failed');
    expect((await queue.getJob(task.id))?.attemptsMade).toBe(3); // a full disk may clear: retried, then the reason is stored
    const leftovers = (fs.readdirSync(mountPoint, { recursive: true }) as string[]).filter((n) => path.basename(n).startsWith('.tmp-'));
    expect(leftovers).toEqual([]);
  });
});
