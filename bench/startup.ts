import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/process.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One start of `aula start`: milliseconds from spawn to the first 200 of /ready, and the RSS then. */
async function startOnce(command: string[], env: Record<string, string>): Promise<{ readyMs: number; rssMb: number }> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-startup-'));
  const startedAt = performance.now();
  const child = spawn(process.execPath, command, {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', AULA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${command.join(' ')} was not ready within 60 s`);
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const readyMs = performance.now() - startedAt;
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { readyMs, rssMb: rssKb / 1024 };
  } finally {
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `aula start` on an external PostgreSQL (so the database's own start-up is not
 * counted): the compiled JavaScript in dist/ next to the TypeScript sources run
 * through tsx, as `npm start` did before the build step.
 */
export async function startupBench(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const env = { DATABASE_URL: backends.databaseUrl };
  const dist = [];
  const tsx = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      // Alternate so that a machine getting busier hurts both alike.
      tsx.push(await startOnce(['--import', 'tsx', path.join(root, 'src/cli.ts'), 'start', '--no-workers'], env));
      dist.push(await startOnce([path.join(root, 'dist/cli.js'), 'start', '--no-workers'], env));
    }
  } finally {
    await backends.close();
  }
  return [
    {
      case: `start to /ready (median of ${RUNS})`,
      unit: 'ms',
      ours: median(dist.map((r) => r.readyMs)),
      baseline: median(tsx.map((r) => r.readyMs)),
      baselineName: 'tsx on src/',
      higherIsBetter: false,
    },
    {
      case: `RSS when ready (median of ${RUNS})`,
      unit: 'MB',
      ours: median(dist.map((r) => r.rssMb)),
      baseline: median(tsx.map((r) => r.rssMb)),
      baselineName: 'tsx on src/',
      higherIsBetter: false,
    },
  ];
}
