import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createAdmin } from '../src/modules/identity/admin.ts';
import { createIdentity } from '../src/modules/identity/service.ts';
import { createProjects } from '../src/modules/projects/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { startRuntime } from '../src/platform/runtime.ts';
import { benchBackends } from './databases.ts';
import type { BenchRow } from './table.ts';

const PROJECTS = 100_000;
const COURSES = 100;
const TAGS = 200;
const QUERIES = 200;
const CREATES = 1000;
const ENV_PER_PROJECT = 3;
const CONCURRENCY = 4;

/** Progress on stderr, so a slow run shows where it is. */
const phase = (what: string) => void process.stderr.write(`projects bench: ${what}\n`);
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Runs `count` tasks, `concurrency` at a time; returns the seconds it took. */
async function timed(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** Listing and tag search at 100k projects next to the plain indexed query; 1000 creates with env vars next to plain inserts. */
export async function projectsLoad(): Promise<BenchRow[]> {
  const backends = await benchBackends();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-bench-projects-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', AULA_DATA_DIR: dataDir, DATABASE_URL: backends.databaseUrl });
  const runtime = await startRuntime(config, { role: 'start', installed: ALL_MODULES, modules: ALL_MODULES, http: true, queues: [] }, createLogger('silent'));
  const pool = new pg.Pool({ connectionString: backends.databaseUrl, max: 4 });
  try {
    const address = runtime.app!.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await createAdmin(createIdentity(runtime.ctx!), { email: 'bench@uni.example', password: 'B3nchAdmin', username: 'bench' });
    const login = await json(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'B3nchAdmin' }),
    });
    const auth = { authorization: `Bearer ${login.body.token}`, 'content-type': 'application/json' };
    await json(`${base}/api/subjects`, { method: 'POST', headers: auth, body: JSON.stringify({ code: 'BENCH', name: 'Bench' }) });
    const course = async (group: string) =>
      (await json(`${base}/api/courses`, { method: 'POST', headers: auth, body: JSON.stringify({ subjectCode: 'BENCH', group, year: 2026, period: 2 }) })).body
        .id as string;
    const listed = await course('L');
    const created = await course('C');

    phase(`writing ${PROJECTS} projects`);
    // 1. 100k projects over 100 course groups (the first is a real one), 1–3 tags each, an owner each: written as fixtures in one statement.
    await pool.query(
      `WITH p AS (
         INSERT INTO projects.projects (slug, name, description, course_id, created_at)
         SELECT 'proj-' || i, 'Project ' || i, 'A description of project ' || i,
                CASE WHEN i % $2 = 0 THEN $3::uuid ELSE md5('course' || (i % $2))::uuid END,
                timestamptz '2026-01-01' + i * interval '1 second'
         FROM generate_series(1, $1) i RETURNING id, course_id, slug)
       , m AS (INSERT INTO projects.members (project_id, user_id, role) SELECT id, gen_random_uuid(), 'owner' FROM p)
       INSERT INTO projects.tags (project_id, course_id, tag)
       SELECT DISTINCT p.id, p.course_id, 'tag' || ((substr(p.slug, 6)::int * (k + 7)) % $4) FROM p, generate_series(0, (substr(p.slug, 6)::int % 3)) k`,
      [PROJECTS, COURSES, listed, TAGS],
    );
    await pool.query('ANALYZE projects.projects; ANALYZE projects.tags; ANALYZE projects.members');
    const { rows: tagRows } = await pool.query<{ tag: string }>(
      'SELECT tag FROM projects.tags WHERE course_id = $1 GROUP BY tag ORDER BY count(*) DESC LIMIT 20',
      [listed],
    );

    phase(`${QUERIES} list and tag queries`);
    const api = { list: [] as number[], tag: [] as number[] };
    const plain = { list: [] as number[], tag: [] as number[] };
    for (let q = 0; q < QUERIES; q++) {
      const tag = tagRows[q % tagRows.length]!.tag;
      let t0 = performance.now();
      const list = await json(`${base}/api/projects?courseId=${listed}&max=20`, { headers: auth });
      api.list.push(performance.now() - t0);
      if (list.status !== 200 || list.body.data.length !== 20) throw new Error(`list answered ${list.status}`);
      t0 = performance.now();
      const tagged = await json(`${base}/api/projects?courseId=${listed}&tag=${tag}&max=20`, { headers: auth });
      api.tag.push(performance.now() - t0);
      if (tagged.status !== 200 || tagged.body.data.length === 0) throw new Error(`tag search answered ${tagged.status}`);
      t0 = performance.now();
      await pool.query('SELECT * FROM projects.projects WHERE course_id = $1 ORDER BY created_at DESC, id DESC LIMIT 21', [listed]);
      plain.list.push(performance.now() - t0);
      t0 = performance.now();
      await pool.query(
        `SELECT p.* FROM projects.projects p WHERE p.course_id = $1 AND EXISTS (SELECT 1 FROM projects.tags t WHERE t.project_id = p.id AND t.tag = $2)
         ORDER BY p.created_at DESC, p.id DESC LIMIT 21`,
        [listed, tag],
      );
      plain.tag.push(performance.now() - t0);
    }

    phase(`${CREATES} creates through HTTP`);
    // 2. 1000 projects with 3 env vars each, through the API …
    const value = (i: number, k: number) => `value-${i}-${k}-${randomBytes(16).toString('hex')}`;
    const httpSeconds = await timed(CREATES, CONCURRENCY, async (i) => {
      const res = await json(`${base}/api/projects`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: `Created ${i}`, slug: `created-${i}`, courseId: created }),
      });
      if (res.status !== 201) throw new Error(`create answered ${res.status}`);
      for (let k = 0; k < ENV_PER_PROJECT; k++) {
        const put = await json(`${base}/api/projects/${res.body.id}/env/VAR_${k}`, {
          method: 'PUT',
          headers: auth,
          body: JSON.stringify({ value: value(i, k) }),
        });
        if (put.status !== 200) throw new Error(`env answered ${put.status}`);
      }
    });
    phase(`${CREATES} creates through the services`);
    // … through the services without HTTP …
    const services = createProjects(runtime.ctx!);
    const caller = { id: login.body.user.id as string, role: 'admin' as const };
    const teacherCourse = await course('S');
    const serviceSeconds = await timed(CREATES, CONCURRENCY, async (i) => {
      const p = await services.projects.create(caller, { name: `Service ${i}`, slug: `service-${i}`, courseId: teacherCourse });
      for (let k = 0; k < ENV_PER_PROJECT; k++) await services.secrets.putEnv(caller, p.id, `VAR_${k}`, { value: value(i, k), scope: 'runtime' });
    });
    phase(`${CREATES} plain inserts`);
    // … and the same rows as plain inserts, values not encrypted.
    const plainSeconds = await timed(CREATES, CONCURRENCY, async (i) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string }>('INSERT INTO projects.projects (slug, name, course_id) VALUES ($1, $2, $3) RETURNING id', [
          `plain-${i}`,
          `Plain ${i}`,
          created,
        ]);
        await client.query(`INSERT INTO projects.members (project_id, user_id, role) VALUES ($1, $2, 'owner')`, [rows[0]!.id, caller.id]);
        await client.query(`INSERT INTO projects.outbox (type, payload) VALUES ('project.created', $1)`, [JSON.stringify({ projectId: rows[0]!.id })]);
        await client.query('COMMIT');
        for (let k = 0; k < ENV_PER_PROJECT; k++) {
          await client.query(`INSERT INTO projects.env_vars (project_id, key, scope, sealed, key_id, hint) VALUES ($1, $2, 'runtime', $3, 'plain', '')`, [
            rows[0]!.id,
            `VAR_${k}`,
            Buffer.from(value(i, k)),
          ]);
        }
      } finally {
        client.release();
      }
    });
    await services.deps.relay.idle();
    return [
      {
        case: `list a course group's projects (20 of 1000, ${PROJECTS / 1000}k in all): p95`,
        unit: 'ms',
        ours: p95(api.list),
        baseline: p95(plain.list),
        baselineName: 'the plain indexed SQL query, no HTTP',
        higherIsBetter: false,
      },
      {
        case: `search a course group's projects by tag (${PROJECTS / 1000}k in all): p95`,
        unit: 'ms',
        ours: p95(api.tag),
        baseline: p95(plain.tag),
        baselineName: 'the plain indexed SQL query, no HTTP',
        higherIsBetter: false,
      },
      {
        case: `create ${CREATES} projects with ${ENV_PER_PROJECT} env vars each, HTTP API, ${CONCURRENCY} at once`,
        unit: 's',
        ours: httpSeconds,
        baseline: plainSeconds,
        baselineName: 'the same inserts in plain SQL, values not encrypted',
        higherIsBetter: false,
      },
      {
        case: `the same through the services (no HTTP)`,
        unit: 's',
        ours: serviceSeconds,
        baseline: plainSeconds,
        baselineName: 'the same inserts in plain SQL, values not encrypted',
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
