import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { newAccount } from './test-helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ queues: ['identity.project'] });
});
afterAll(async () => app.stop());

const signup = (body: unknown, path = '/api/auth/signup') => call(app.baseUrl, 'POST', path, { body });
const fields = (res: { body: { error: { details: Array<{ field: string }> } } }) => res.body.error.details.map((d) => d.field).sort();

describe('POST /api/auth/signup', () => {
  it('creates a student and answers 201 with the public fields only', async () => {
    const account = newAccount();
    const res = await signup(account);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), username: account.username, email: account.email, role: 'student' });
  });

  it.each([
    ['password / password2', (p: string) => ({ password: p, password2: p })],
    ['password1 / password2', (p: string) => ({ password1: p, password2: p })],
    ['password / password_2', (p: string) => ({ password: p, password_2: p })],
  ])('accepts the field names %s', async (_name, fieldsFor) => {
    const { username, email } = newAccount();
    const res = await signup({ username, email, ...fieldsFor('An0therPass') });
    expect(res.status).toBe(201);
    const login = await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username, password: 'An0therPass' } });
    expect(login.status).toBe(200);
  });

  it.each([
    ['a username too short', { username: 'ab' }, ['username']],
    ['a username too long', { username: 'a'.repeat(33) }, ['username']],
    ['a username with a space', { username: 'has space' }, ['username']],
    ['a missing username', { username: undefined }, ['username']],
    ['an invalid e-mail', { email: 'not-an-email' }, ['email']],
    ['a missing e-mail', { email: undefined }, ['email']],
    ['a password under 8 characters', { password: 'Sh0rt', password2: 'Sh0rt' }, ['password']],
    ['a password without upper case', { password: 'lower1234', password2: 'lower1234' }, ['password']],
    ['a password without lower case', { password: 'UPPER1234', password2: 'UPPER1234' }, ['password']],
    ['a password without a digit', { password: 'NoDigitsHere', password2: 'NoDigitsHere' }, ['password']],
    ['passwords that differ', { password2: 'Different1' }, ['password2']],
    ['a missing confirmation', { password2: undefined }, ['password2']],
    ['a missing password', { password: undefined }, ['password']],
  ])('refuses %s with 400 naming the field', async (_name, change, expected) => {
    const body = { ...newAccount(), ...change };
    const res = await signup(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(fields(res)).toEqual(expected);
  });

  it('refuses a password equal to the username or the e-mail', async () => {
    const username = `Same${Date.now()}A1`;
    const asUsername = await signup({ ...newAccount(), username, password: username, password2: username });
    expect(asUsername.status).toBe(400);
    expect(fields(asUsername)).toEqual(['password']);
    const email = `Mail${Date.now()}A1@uni.example`;
    const asEmail = await signup({ ...newAccount(), email, password: email, password2: email });
    expect(asEmail.status).toBe(400);
    expect(fields(asEmail)).toEqual(['password']);
  });

  it('lists every failing field at once', async () => {
    const res = await signup({ username: 'x', email: 'y', password: 'z', password2: 'w' });
    expect(fields(res)).toEqual(['email', 'password', 'password2', 'username']);
  });

  it('refuses a body that is not an object, and wrong field types', async () => {
    expect((await signup([1, 2])).status).toBe(400);
    expect((await signup({ ...newAccount(), username: 42 })).status).toBe(400);
  });

  it('answers 409 for a taken username or e-mail, whatever their case, and changes nothing', async () => {
    const account = newAccount();
    expect((await signup(account)).status).toBe(201);
    const sameName = await signup({ ...newAccount(), username: account.username.toUpperCase() });
    expect(sameName.status).toBe(409);
    expect(fields(sameName)).toEqual(['username']);
    const sameEmail = await signup({ ...newAccount(), email: account.email.toUpperCase() });
    expect(sameEmail.status).toBe(409);
    expect(fields(sameEmail)).toEqual(['email']);
    const client = new pg.Client({ connectionString: app.db.url });
    await client.connect();
    const rows = await client.query('SELECT count(*)::int AS n FROM identity.users WHERE lower(username) = lower($1) OR lower(email) = lower($2)', [
      account.username,
      account.email,
    ]);
    await client.end();
    expect(rows.rows[0].n).toBe(1);
  });

  it('of 200 concurrent sign-ups with one username, exactly one wins; the rest get 409 and none a 5xx', async () => {
    const username = `race${process.pid}`;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signup({ username, email: `race${i}@uni.example`, password: 'Rac3Condition', password2: 'Rac3Condition' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
  });
});

describe('POST /auth/signup (older clients)', () => {
  it('creates the account and also returns tokens', async () => {
    const account = newAccount();
    const res = await signup({ username: account.username, email: account.email, password1: account.password, password2: account.password }, '/auth/signup');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: account.username,
      role: 'student',
      tokenType: 'Bearer',
      token: expect.any(String),
      refreshToken: expect.any(String),
    });
    const me = await call(app.baseUrl, 'GET', '/api/auth/me', { token: res.body.token });
    expect(me.body.username).toBe(account.username);
  });

  it('the account and its session are one transaction: a failure opening the session leaves no account', async () => {
    const account = newAccount('atomicsignup');
    const pool = app.runtime.pool;
    await pool.query(`CREATE FUNCTION identity.fail_session_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF (SELECT username FROM identity.users WHERE id = NEW.user_id) = '${account.username}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await pool.query(
      'CREATE TRIGGER fail_session_for_test BEFORE INSERT ON identity.refresh_tokens FOR EACH ROW EXECUTE FUNCTION identity.fail_session_for_test()',
    );
    try {
      expect((await signup(account, '/auth/signup')).status).toBe(500);
      expect((await pool.query('SELECT 1 FROM identity.users WHERE username = $1', [account.username])).rowCount).toBe(0);
    } finally {
      await pool.query('DROP TRIGGER fail_session_for_test ON identity.refresh_tokens; DROP FUNCTION identity.fail_session_for_test()');
    }
    expect((await signup(account, '/auth/signup')).status).toBe(201);
  });
});
