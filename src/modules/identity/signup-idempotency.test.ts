import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { newAccount } from './test-helpers.ts';

let app: TestApp;
let db: pg.Client;
beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Client({ connectionString: app.db.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await app.stop();
});

const signup = (body: unknown, key?: string) =>
  call(app.baseUrl, 'POST', '/api/auth/signup', { body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
const usersNamed = async (username: string) => Number((await db.query('SELECT count(*) AS n FROM identity.users WHERE username = $1', [username])).rows[0].n);

describe('POST /api/auth/signup with Idempotency-Key', () => {
  it('a retry with the same key answers the same 201 and creates one account', async () => {
    const account = newAccount();
    const first = await signup(account, 'signup-retry-1');
    const second = await signup(account, 'signup-retry-1');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await usersNamed(account.username)).toBe(1);
  });

  it('without a key a repeated sign-up is a 409 (the key is what makes it safe)', async () => {
    const account = newAccount();
    expect((await signup(account)).status).toBe(201);
    expect((await signup(account)).status).toBe(409);
  });

  it('concurrent duplicates: all get the same 201, one account exists', async () => {
    const account = newAccount();
    const answers = await Promise.all(Array.from({ length: 8 }, () => signup(account, 'signup-concurrent-1')));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await usersNamed(account.username)).toBe(1);
  });

  it('the same key with a different body is a 422 and creates nothing', async () => {
    const account = newAccount();
    expect((await signup(account, 'signup-reused-1')).status).toBe(201);
    const other = newAccount();
    const reused = await signup(other, 'signup-reused-1');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await usersNamed(other.username)).toBe(0);
  });

  it('a failed attempt stores nothing: after a 409 the same key is tried again', async () => {
    const taken = newAccount();
    expect((await signup(taken)).status).toBe(201);
    const clash = { ...newAccount(), username: taken.username };
    expect((await signup(clash, 'signup-after-409')).status).toBe(409);
    const rows = await db.query("SELECT 1 FROM platform.idempotency_keys WHERE key = 'signup-after-409'");
    expect(rows.rowCount).toBe(0);
  });

  it('refuses a malformed key with 400 and creates nothing', async () => {
    const account = newAccount();
    const res = await signup(account, 'x'.repeat(201));
    expect(res.status).toBe(400);
    expect(await usersNamed(account.username)).toBe(0);
  });

  it('stores no password: the fingerprint is a keyed digest and the body is the public user', async () => {
    const account = newAccount();
    await signup(account, 'signup-secret-check');
    const row = (await db.query("SELECT fingerprint, body::text AS body FROM platform.idempotency_keys WHERE key = 'signup-secret-check'")).rows[0];
    expect(row.body).not.toContain(account.password);
    expect(row.fingerprint).not.toContain(account.password);
    expect(JSON.parse(row.body)).toEqual({ id: expect.any(String), username: account.username, email: account.email, role: 'student' });
  });
});
