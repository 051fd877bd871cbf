import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, waitForOk } from '../test/process.ts';
import { audioWithCoverArt, corruptVideo, emptyFile, hugeDeclaredAvi, landscapeVideo, oneFrameVideo, silentVideo, textAsVideo } from '../test/videos.ts';
import { benchBackends } from './databases.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONCURRENCY = 20;
const KILL_EVERY_MS = Number(process.env.SOAK_KILL_EVERY_SECONDS ?? 60) * 1000;
const WORKERS = 2;
const DRAIN_MS = 5 * 60_000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Worker {
  child: ChildProcess;
  exited: boolean;
}

async function json(response: Response): Promise<any> {
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

function listTmpFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((name) => path.basename(name).startsWith('.tmp-'));
}

/** ffmpeg processes started for one of the given worker pids (their temp folder names the worker's pid). */
function ffmpegOfWorkers(pids: Set<number>): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (() => {
      try {
        return fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    })();
    const owner = /aula-task-[0-9a-f-]{36}-p(\d+)-/.exec(cmdline)?.[1];
    if (cmdline.includes('ffmpeg') && owner && pids.has(Number(owner))) found.push(Number(entry));
  }
  return found;
}

/**
 * The soak of issue 8: mixed good and bad uploads at concurrency 20 for
 * SOAK_SECONDS (default 600) against one API process and two worker processes,
 * one worker SIGKILLed (and replaced) every SOAK_KILL_EVERY_SECONDS (default 60).
 * Prints how every task ended and what was left behind.
 */
export async function soak(): Promise<string> {
  const backends = await benchBackends();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-soak-'));
  const dataDir = path.join(dir, 'data');
  const storageDir = path.join(dataDir, 'files');
  const inputs = [
    { name: 'good 3 s', file: await landscapeVideo(3, 'soak-good.mp4') },
    { name: 'good silent', file: await silentVideo(2) },
    { name: 'one frame', file: await oneFrameVideo() },
    { name: 'corrupt', file: await corruptVideo() },
    { name: 'text', file: textAsVideo() },
    { name: 'empty', file: emptyFile() },
    { name: 'cover art m4a', file: await audioWithCoverArt() },
    { name: '8000×8000 AVI', file: await hugeDeclaredAvi() },
  ].map((input) => ({ ...input, bytes: fs.readFileSync(input.file) }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: backends.databaseUrl,
    AULA_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    AULA_SIGNUP_RATE_LIMIT: '1000',
    AULA_LOGIN_RATE_LIMIT: '1000',
    AULA_JOB_LOCK_MS: '5000',
    AULA_MEDIA_RECONCILE_SECONDS: '10',
    AULA_MEDIA_CONCURRENCY: '1',
  };
  delete env.REDIS_URL;
  const children: ChildProcess[] = [];
  const workerPids = new Set<number>();
  let apiExited: string | undefined;
  const api = spawn(process.execPath, [path.join(root, 'bin/aula.js'), 'start', '--no-workers'], { env, stdio: 'ignore' });
  children.push(api);
  api.on('exit', (code, signal) => (apiExited = String(code ?? signal)));
  const workers: Worker[] = [];
  const startWorker = () => {
    const child = spawn(process.execPath, [path.join(root, 'bin/aula.js'), 'worker'], { env, stdio: 'ignore' });
    children.push(child);
    workerPids.add(child.pid!);
    const worker = { child, exited: false };
    child.on('exit', () => (worker.exited = true));
    workers.push(worker);
  };
  const pool = new pg.Pool({ connectionString: backends.databaseUrl, max: 2 });
  try {
    await waitForOk(`${base}/ready`, 60_000);
    for (let i = 0; i < WORKERS; i++) startWorker();
    const account = { username: 'soaker', email: 'soaker@uni.example', password: 'S0akerPass', password2: 'S0akerPass' };
    await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
    const login = await json(
      await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) }),
    );
    const auth = { authorization: `Bearer ${login.token as string}` };

    const deadline = Date.now() + SECONDS * 1000;
    let kills = 0;
    let uploads = 0;
    const refused = new Map<number, number>();
    const killer = setInterval(() => {
      const victim = workers.filter((w) => !w.exited)[kills % WORKERS];
      victim?.child.kill('SIGKILL');
      kills++;
      startWorker();
    }, KILL_EVERY_MS);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < deadline) {
          const input = inputs[next++ % inputs.length]!;
          const form = new FormData();
          form.append('title', input.name);
          form.append('file', new Blob([input.bytes], { type: 'video/mp4' }), path.basename(input.file));
          const response = await fetch(`${base}/api/tasks`, { method: 'POST', headers: auth, body: form }).catch(() => undefined);
          const body = response ? await json(response).catch(() => undefined) : undefined;
          uploads++;
          if (response?.status !== 201) {
            refused.set(response?.status ?? 0, (refused.get(response?.status ?? 0) ?? 0) + 1);
            continue;
          }
          // Each client waits for its task to end, bounded by the run's deadline, then uploads the next.
          while (Date.now() < deadline) {
            const task = await json(await fetch(`${base}/api/tasks/${body.id as string}`, { headers: auth })).catch(() => undefined);
            if (['processed', 'failed', 'cancelled'].includes(task?.status)) break;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      }),
    );
    clearInterval(killer);

    const unfinished = async () => Number((await pool.query(`SELECT count(*) FROM media.tasks WHERE status IN ('queued', 'processing')`)).rows[0].count);
    const drainDeadline = Date.now() + DRAIN_MS;
    while ((await unfinished()) > 0 && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 1000));
    const { rows } = await pool.query<{ status: string; withReason: boolean; count: string }>(
      `SELECT status, error IS NOT NULL AS "withReason", count(*) FROM media.tasks GROUP BY 1, 2`,
    );
    const count = (status: string, withReason?: boolean) =>
      rows.filter((r) => r.status === status && (withReason === undefined || r.withReason === withReason)).reduce((n, r) => n + Number(r.count), 0);
    const reasons = await pool.query<{ error: string; count: string }>(
      `SELECT error, count(*) FROM media.tasks WHERE status = 'failed' GROUP BY 1 ORDER BY 2 DESC`,
    );
    const orphans = ffmpegOfWorkers(workerPids).length;
    const lines = [
      `${SECONDS} s, ${CONCURRENCY} clients, ${WORKERS} workers, one SIGKILLed every ${KILL_EVERY_MS / 1000} s (${kills} kills); ${inputs.length} inputs in turn: ${inputs.map((i) => i.name).join(', ')}`,
      '',
      '| measure | value | must be |',
      '|---|---:|---|',
      `| uploads sent | ${uploads} | |`,
      `| uploads refused | ${[...refused.values()].reduce((a, b) => a + b, 0)}${refused.size ? ` (${[...refused].map(([s, n]) => `${n} × ${s}`).join(', ')})` : ''} | |`,
      `| tasks processed | ${count('processed')} | |`,
      `| tasks failed with a reason | ${count('failed', true)} | |`,
      `| tasks failed without a reason | ${count('failed', false)} | 0 |`,
      `| tasks stuck queued or processing (after up to ${DRAIN_MS / 60_000} min of drain) | ${count('queued') + count('processing')} | 0 |`,
      `| leftover \`.tmp-*\` files in storage | ${listTmpFiles(storageDir).length} | 0 |`,
      `| orphan ffmpeg processes of the workers | ${orphans} | 0 |`,
      `| API process exited during the run | ${apiExited === undefined ? 'no' : `yes (${apiExited})`} | no |`,
      '',
      'failure reasons:',
      ...reasons.rows.map((r) => `- ${r.count} × ${r.error}`),
    ];
    return lines.join('\n');
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await pool.end();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await backends.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
