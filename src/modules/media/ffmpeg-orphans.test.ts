import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { spawnAula, type AulaProcess } from '../../../test/process.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { FFMPEG_PID_FILE } from './ffmpeg-process.ts';
import { sweepOrphanedTempDirs } from './processor.ts';
import { upload } from './test-helpers.ts';

let app: TestApp;
const started: AulaProcess[] = [];

beforeAll(async () => {
  app = await startTestApp({ queues: [] });
});
afterAll(async () => {
  for (const p of started) p.child.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  await app.stop();
});

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('ffmpeg never outlives its worker', () => {
  it('a SIGKILLed worker takes its ffmpeg with it (parent-death signal)', async () => {
    const worker = spawnAula(['worker', '--queues', 'media.process'], { DATABASE_URL: app.db.url, AULA_DATA_DIR: app.config.dataDir });
    started.push(worker);
    const user = await signUpAndLogIn(app.baseUrl, 'orphans');
    const task = (await upload(app.baseUrl, user.token, await landscapeVideo(19, 'orphan-encode.mp4'))).body;
    let ffmpeg: number[] = [];
    await waitUntil(() => {
      try {
        ffmpeg = execFileSync('pgrep', ['-P', String(worker.child.pid), '-f', `aula-task-${task.id as string}`], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map(Number);
      } catch {
        ffmpeg = [];
      }
      return ffmpeg.length > 0;
    }, 60_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    await waitUntil(() => ffmpeg.every((pid) => !running(pid)), 10_000);
  });

  it('the next start kills an ffmpeg a dead worker left running, and counts it', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aula-task-00000000-0000-4000-8000-000000000000-p${gone.pid}-`));
    // Stands in for an orphaned ffmpeg: its own process group, its command line naming the task folder.
    const orphan = spawn('sh', ['-c', 'sleep 300', dir], { detached: true, stdio: 'ignore' });
    const died = new Promise<NodeJS.Signals | null>((resolve) => orphan.on('exit', (_code, signal) => resolve(signal)));
    fs.writeFileSync(path.join(dir, FFMPEG_PID_FILE), String(orphan.pid));
    try {
      const swept = await sweepOrphanedTempDirs();
      expect(swept.orphansKilled).toBeGreaterThanOrEqual(1);
      expect(await died).toBe('SIGKILL');
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      orphan.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
