import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createAdmin } from '../src/modules/identity/admin.ts';
import { createIdentity } from '../src/modules/identity/service.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { startRuntime } from '../src/platform/runtime.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const WRITES = 100_000;
const BATCH = 1000;
const TOTAL = 1_000_000;
const COURSES = 200;
const QUERIES = 200;

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** 100k grades through the API (write-to-visible latency), then averages over 1M grades next to plain indexed SQL. */
export async function statsLoad(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-stats-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', AULA_DATA_DIR: dataDir, DATABASE_URL: backends.databaseUrl });
  const runtime = await startRuntime(
    config,
    { role: 'start', installed: ALL_MODULES, modules: ALL_MODULES, http: true, queues: ['stats.grade-recorded', 'identity.project'] },
    createLogger('silent'),
  );
  const pool = new pg.Pool({ connectionString: backends.databaseUrl, max: 4 });
  try {
    const address = runtime.app!.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await createAdmin(createIdentity(runtime.ctx!), { email: 'bench@uni.example', password: 'B3nchAdmin', username: 'bench' });
    const token = (
      await json(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench', password: 'B3nchAdmin' }),
      })
    ).body.token as string;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    // 1. 100 batches of 1000 grades, 4 in flight; each batch carries a probe grade whose visibility is timed.
    const visible: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < WRITES / BATCH) {
          const b = next++;
          const grades = Array.from({ length: BATCH }, (_, i) => ({
            studentId: `s${(b * BATCH + i) % 5000}`,
            courseId: `c${(b * BATCH + i) % COURSES}`,
            assignmentId: `w${b}`,
            grade: Math.round(Math.random() * 500) / 100,
            onTime: i % 4 !== 0,
          }));
          grades[0] = { studentId: `probe${b}`, courseId: 'probe', assignmentId: 'p', grade: 3, onTime: true };
          const sent = performance.now();
          const res = await json(`${base}/api/stats/grades`, { method: 'POST', headers: auth, body: JSON.stringify(grades) });
          if (res.status !== 202) throw new Error(`write answered ${res.status}`);
          while ((await json(`${base}/api/stats/students/probe${b}/courses/probe`, { headers: auth })).status !== 200)
            await new Promise((r) => setTimeout(r, 2));
          visible.push(performance.now() - sent);
        }
      }),
    );

    // Baseline for freshness: the same kind of upsert done synchronously, one statement per batch.
    const direct: number[] = [];
    for (let b = 0; b < 100; b++) {
      const t0 = performance.now();
      await pool.query(
        `INSERT INTO stats.grades (student_id, course_id, assignment_id, grade, on_time, graded_at)
         SELECT 'd' || i % 5000, 'c' || i % ${COURSES}, 'd${b}', round((random() * 5)::numeric, 2), i % 4 <> 0, now() FROM generate_series(1, ${BATCH}) i
         ON CONFLICT (student_id, course_id, assignment_id, event_id) DO UPDATE SET grade = EXCLUDED.grade`,
      );
      direct.push(performance.now() - t0);
    }

    // 2. Bring the table to 1M grades spread over two years, then query.
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stats.grades');
    await pool.query(
      `INSERT INTO stats.grades (student_id, course_id, assignment_id, grade, on_time, graded_at)
       SELECT 'f' || (i % 20000), 'c' || (i % ${COURSES}), 'f' || (i / 20000), round((random() * 5)::numeric, 2), random() < 0.8,
              timestamptz '2025-01-01' + random() * interval '730 days'
       FROM generate_series(1, $1) i`,
      [TOTAL - rows[0]!.n],
    );
    await pool.query('ANALYZE stats.grades');
    const api: number[] = [];
    const plain: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const course = `c${Math.floor(Math.random() * COURSES)}`;
      let t0 = performance.now();
      const res = await json(`${base}/api/stats/courses/${course}/average?groupBy=month&from=2025-01-01&to=2026-12-31`, { headers: auth });
      api.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`query answered ${res.status}`);
      t0 = performance.now();
      await pool.query(
        `SELECT date_trunc('month', graded_at) AS m, avg(grade), count(*) FROM stats.grades
         WHERE course_id = $1 AND graded_at >= '2025-01-01' AND graded_at < '2027-01-01' GROUP BY 1 ORDER BY 1`,
        [course],
      );
      plain.push(performance.now() - t0);
    }
    return [
      {
        case: `write → visible, ${WRITES / 1000}k grades in batches of ${BATCH}: p50`,
        unit: 'ms',
        ours: pct(visible, 0.5),
        baseline: pct(direct, 0.5),
        baselineName: 'synchronous upsert of a batch (no queue, no HTTP)',
        higherIsBetter: false,
      },
      {
        case: 'write → visible: p99',
        unit: 'ms',
        ours: pct(visible, 0.99),
        baseline: pct(direct, 0.99),
        baselineName: 'synchronous upsert of a batch',
        higherIsBetter: false,
      },
      {
        case: `course average by month over ${TOTAL / 1e6}M grades: p95`,
        unit: 'ms',
        ours: pct(api, 0.95),
        baseline: pct(plain, 0.95),
        baselineName: 'the plain indexed SQL query, no HTTP',
        higherIsBetter: false,
      },
    ];
  } finally {
    await pool.end();
    await runtime.stop();
    await backends.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
