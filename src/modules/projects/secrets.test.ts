import fs from 'node:fs';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config.ts';
import { createProjects, projectsModule } from './index.ts';
import { createKeyring, newSecretKeyText, parseSecretKey, secretsKeyFile } from './secrets.ts';
import { startProjectsWorld, type ProjectsWorld } from './test-helpers.ts';

const SECRET = `sk_live_${'Zq9'.repeat(8)}_unmistakable`;
const logged: string[] = [];
let w: ProjectsWorld;
let pool: pg.Pool;
let projectId: string;

beforeAll(async () => {
  const capture = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  w = await startProjectsWorld({ env: { LOG_LEVEL: 'trace' }, logDestination: capture });
  pool = new pg.Pool({ connectionString: w.app.db.url, max: 2 });
  projectId = (await w.api('POST', '/api/projects', w.alice.token, { name: 'Secret keeper', slug: 'secret-keeper', courseId: w.courseA })).body.id;
});
afterAll(async () => {
  await pool?.end();
  await w?.stop();
});

/** The bytes of a table's heap file, as PostgreSQL wrote them (after a checkpoint). */
async function tableBytes(table: string): Promise<Buffer> {
  await pool.query('CHECKPOINT');
  const { rows } = await pool.query<{ bytes: Buffer }>(`SELECT pg_read_binary_file(pg_relation_filepath($1::regclass)) AS bytes`, [table]);
  return rows[0]!.bytes;
}

describe('environment variables', () => {
  it("a value is written once and never comes back: not from the API, not in the table's bytes, not in the logs", async () => {
    const put = await w.api('PUT', `/api/projects/${projectId}/env/STRIPE_KEY`, w.alice.token, { value: SECRET, scope: 'build' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ key: 'STRIPE_KEY', scope: 'build', hint: '••••le', updatedAt: expect.any(String) });
    const list = await w.api('GET', `/api/projects/${projectId}/env`, w.teacher.token);
    expect(list.body.data).toEqual([put.body]);
    const everything = JSON.stringify([put.body, list.body, (await w.api('GET', `/api/projects/${projectId}`, w.alice.token)).body]);
    expect(everything).not.toContain(SECRET);

    const bytes = await tableBytes('projects.env_vars');
    expect(bytes.includes(Buffer.from('STRIPE_KEY'))).toBe(true); // the method sees what is stored in clear…
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false); // …and the value is not
    expect(bytes.includes(Buffer.from(SECRET.slice(0, 16)))).toBe(false);

    expect(logged.join('').length).toBeGreaterThan(0);
    expect(logged.some((line) => line.includes('/env/STRIPE_KEY'))).toBe(true);
    expect(logged.join('')).not.toContain(SECRET);

    // What is stored opens again with the key: it is a ciphertext, not a lost value.
    expect(await createProjects(w.app.runtime.ctx!).secrets.envValues(projectId)).toEqual([{ key: 'STRIPE_KEY', scope: 'build', value: SECRET }]);
  });

  it('a random IV per value: the same value twice is stored differently', async () => {
    await w.api('PUT', `/api/projects/${projectId}/env/A_ONE`, w.alice.token, { value: 'same-value-here' });
    await w.api('PUT', `/api/projects/${projectId}/env/A_TWO`, w.alice.token, { value: 'same-value-here' });
    const { rows } = await pool.query<{ sealed: Buffer }>(`SELECT sealed FROM projects.env_vars WHERE key IN ('A_ONE', 'A_TWO')`);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.sealed.equals(rows[1]!.sealed)).toBe(false);
  });

  it('keys must match ^[A-Z_][A-Z0-9_]*$; only the team writes; delete removes one key', async () => {
    for (const key of ['lowercase', 'Mixed_Case', '1LEADING_DIGIT', 'WITH-DASH']) {
      const res = await w.api('PUT', `/api/projects/${projectId}/env/${key}`, w.alice.token, { value: 'x' });
      expect(res.status, key).toBe(400);
      expect(res.body.error.details[0].field).toBe('key');
    }
    expect((await w.api('PUT', `/api/projects/${projectId}/env/OK`, w.alice.token, { value: 'x', scope: 'sometimes' })).status).toBe(400);
    expect((await w.api('PUT', `/api/projects/${projectId}/env/OK`, w.teacher.token, { value: 'x' })).status).toBe(403);
    expect((await w.api('PUT', `/api/projects/${projectId}/env/OK`, w.bob.token, { value: 'x' })).status).toBe(403);
    expect((await w.api('PUT', `/api/projects/${projectId}/env/OK`, w.dave.token, { value: 'x' })).status).toBe(404);
    expect((await w.api('DELETE', `/api/projects/${projectId}/env/A_TWO`, w.alice.token)).status).toBe(204);
    expect((await w.api('DELETE', `/api/projects/${projectId}/env/A_TWO`, w.alice.token)).status).toBe(404);
    const keys = (await w.api('GET', `/api/projects/${projectId}/env`, w.alice.token)).body.data.map((v: { key: string }) => v.key);
    expect(keys).toEqual(['A_ONE', 'STRIPE_KEY']);
  });
});

describe('the secrets key', () => {
  it('is generated into the data directory (0600) on first start when AULA_SECRETS_KEY is unset', () => {
    const file = secretsKeyFile(w.app.config.dataDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(() => parseSecretKey(fs.readFileSync(file, 'utf8'))).not.toThrow();
  });

  it('rotates: the old key becomes secrets-key.previous, rotate-secrets-key re-encrypts everything, then the old key can go', async () => {
    const ctx = w.app.runtime.ctx!;
    const file = secretsKeyFile(ctx.config.dataDir);
    const before = await createProjects(ctx).secrets.envValues(projectId);
    fs.renameSync(file, `${file}.previous`);
    const output = await projectsModule.commands!['rotate-secrets-key']!(ctx, {});
    expect(output).toBe('re-encrypted 2 environment variables and 0 database passwords under the current secrets key');
    fs.rmSync(`${file}.previous`);
    const current = parseSecretKey(fs.readFileSync(file, 'utf8'));
    const { rows } = await pool.query<{ key_id: string }>('SELECT DISTINCT key_id FROM projects.env_vars');
    expect(rows).toEqual([{ key_id: current.id }]);
    expect(await createProjects(ctx).secrets.envValues(projectId)).toEqual(before);
    expect(await projectsModule.commands!['rotate-secrets-key']!(ctx, {})).toMatch(/^re-encrypted 0 environment variables/);
  });

  it("AES-256-GCM: a changed byte, another row's context or an unknown key does not open", () => {
    const ring = createKeyring(parseSecretKey(newSecretKeyText()));
    const { sealed, keyId } = ring.seal('value', 'env:p:K');
    expect(ring.open(sealed, keyId, 'env:p:K')).toBe('value');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => ring.open(flipped, keyId, 'env:p:K')).toThrow();
    expect(() => ring.open(sealed, keyId, 'env:q:K')).toThrow();
    expect(() => createKeyring(parseSecretKey(newSecretKeyText())).open(sealed, keyId, 'env:p:K')).toThrow(/no secrets key/);
  });

  it('a malformed AULA_SECRETS_KEY stops the start with one message naming it, without its value', () => {
    const attempt = () => loadConfig({ AULA_SECRETS_KEY: 'too-short-a-key', AULA_PROJECT_DB_CONNECTION_LIMIT: '0' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AULA_SECRETS_KEY=\(hidden\): must be 32 bytes/);
    expect(attempt).toThrow(/AULA_PROJECT_DB_CONNECTION_LIMIT="0"/);
    expect(() => attempt()).not.toThrow(/too-short-a-key/);
    const key = newSecretKeyText();
    expect(loadConfig({ AULA_SECRETS_KEY: key }).modules.projects).toMatchObject({ AULA_SECRETS_KEY: key, AULA_PROJECT_DB_CONNECTION_LIMIT: 5 });
  });
});
