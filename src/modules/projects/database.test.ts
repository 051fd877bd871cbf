import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseProvisioner } from './provisioner.ts';
import { startProjectsWorld, type ProjectsWorld } from './test-helpers.ts';

let w: ProjectsWorld;
let admin: pg.Pool;
let first: { id: string; url: string; name: string };
const made = new Set<string>();

beforeAll(async () => {
  w = await startProjectsWorld({ env: { AULA_PROJECT_DB_CONNECTION_LIMIT: '2' } });
  admin = new pg.Pool({ connectionString: w.app.db.url, max: 2 });
});
afterAll(async () => {
  // Whatever a failed assertion left behind on the shared server.
  for (const name of made) {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`).catch(() => undefined);
  }
  await admin?.end();
  await w?.stop();
});

async function connect(url: string, database?: string): Promise<pg.Client> {
  const target = new URL(url);
  if (database) target.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: target.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  return client;
}

async function createProjectWithDatabase(slug: string): Promise<{ id: string; url: string; name: string }> {
  const id = (await w.api('POST', '/api/projects', w.alice.token, { name: slug, slug, courseId: w.courseA })).body.id as string;
  const res = await w.api('POST', `/api/projects/${id}/database`, w.alice.token);
  expect(res.status).toBe(201);
  made.add(res.body.databaseName);
  return { id, url: res.body.url, name: res.body.databaseName };
}

describe('a project database', () => {
  it('is created for the team with a URL that works (and only with its password, sent as a SCRAM verifier): the role creates a table in its database', async () => {
    first = await createProjectWithDatabase('db-one');
    expect(first.name).toMatch(/^aula_db_one_[0-9a-f]{8}$/);
    const client = await connect(first.url);
    try {
      await client.query('CREATE TABLE notes (id serial PRIMARY KEY, body text)');
      await client.query(`INSERT INTO notes (body) VALUES ('hello')`);
      expect((await client.query('SELECT body FROM notes')).rows).toEqual([{ body: 'hello' }]);
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(first.name);
    } finally {
      await client.end();
    }
    const wrong = new URL(first.url);
    wrong.password = 'not-the-password';
    await expect(connect(wrong.toString())).rejects.toThrow(/password authentication failed/);
    const { rows } = await admin.query<{ stored: string }>('SELECT rolpassword AS stored FROM pg_authid WHERE rolname = $1', [first.name]);
    expect(rows[0]!.stored).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(rows[0]!.stored).not.toContain(decodeURIComponent(new URL(first.url).password));
    expect((await w.api('POST', `/api/projects/${first.id}/database`, w.alice.token)).status).toBe(409);
  });

  it("the role cannot connect to Aula's database, nor to another project's", async () => {
    const second = await createProjectWithDatabase('db-two');
    const aulaDatabase = new URL(w.app.db.url).pathname.slice(1);
    await expect(connect(first.url, aulaDatabase)).rejects.toThrow(/permission denied for database/);
    await expect(connect(first.url, second.name)).rejects.toThrow(/permission denied for database/);
    await expect(connect(second.url, first.name)).rejects.toThrow(/permission denied for database/);
    const own = await connect(second.url);
    await own.end();
  });

  it('has the configured connection limit and a random password that is stored encrypted', async () => {
    const clients = [await connect(first.url), await connect(first.url)];
    try {
      await expect(connect(first.url)).rejects.toThrow(/too many connections for role/);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const password = decodeURIComponent(new URL(first.url).password);
    expect(password.length).toBeGreaterThanOrEqual(32);
    await admin.query('CHECKPOINT');
    const { rows } = await admin.query<{ bytes: Buffer }>(`SELECT pg_read_binary_file(pg_relation_filepath('projects.databases')) AS bytes`);
    expect(rows[0]!.bytes.includes(Buffer.from(first.name))).toBe(true);
    expect(rows[0]!.bytes.includes(Buffer.from(password))).toBe(false);
  });

  it('the teacher sees it without the URL; classmates get 403, others 404', async () => {
    const forTeacher = await w.api('GET', `/api/projects/${first.id}/database`, w.teacher.token);
    expect(forTeacher.status).toBe(200);
    expect(forTeacher.body).toEqual({ databaseName: first.name, roleName: first.name, state: 'ready', createdAt: expect.any(String) });
    expect((await w.api('GET', `/api/projects/${first.id}/database`, w.bob.token)).status).toBe(403);
    expect((await w.api('POST', `/api/projects/${first.id}/database`, w.bob.token)).status).toBe(403);
    expect((await w.api('GET', `/api/projects/${first.id}/database`, w.dave.token)).status).toBe(404);
    expect((await w.api('GET', `/api/projects/${first.id}/database`, w.alice.token)).body.url).toBe(first.url);
  });

  it('is dropped with its role only after the slug is repeated; then the project can be deleted', async () => {
    expect((await w.api('DELETE', `/api/projects/${first.id}`, w.alice.token)).status).toBe(409);
    expect((await w.api('DELETE', `/api/projects/${first.id}/database`, w.alice.token)).status).toBe(400);
    expect((await w.api('DELETE', `/api/projects/${first.id}/database?confirm=db-two`, w.alice.token)).status).toBe(400);
    const open = await connect(first.url);
    open.on('error', () => undefined); // the drop terminates this session
    expect((await w.api('DELETE', `/api/projects/${first.id}/database?confirm=db-one`, w.alice.token)).status).toBe(204);
    await open.end().catch(() => undefined);
    const left = await admin.query(
      `SELECT (SELECT count(*)::int FROM pg_database WHERE datname = $1) AS databases, (SELECT count(*)::int FROM pg_roles WHERE rolname = $1) AS roles`,
      [first.name],
    );
    expect(left.rows[0]).toEqual({ databases: 0, roles: 0 });
    await expect(connect(first.url)).rejects.toThrow();
    expect((await w.api('GET', `/api/projects/${first.id}/database`, w.alice.token)).status).toBe(404);
    expect((await w.api('DELETE', `/api/projects/${first.id}`, w.alice.token)).status).toBe(204);
  });

  it('escapes names: a name full of quotes and SQL is just a name', async () => {
    const name = `aula_t "x"; DROP ROLE postgres; --'`;
    made.add(name);
    const provisioner = new DatabaseProvisioner({ adminUrl: w.app.db.url, connectionLimit: 1 });
    const password = `p'w"; SELECT 1; --`;
    await provisioner.create({ databaseName: name, roleName: name, password });
    const server = new URL(w.app.db.url);
    const client = new pg.Client({ host: server.hostname, port: Number(server.port), user: name, password, database: name });
    await client.connect();
    expect((await client.query('SELECT current_database() AS d')).rows[0].d).toBe(name);
    await client.end();
    await provisioner.drop({ databaseName: name, roleName: name });
    expect((await admin.query('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [name])).rows[0].n).toBe(0);
  });
});
