import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { newAccount, signUpAndLogIn } from './test-helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ queues: ['identity.project'] });
});
afterAll(async () => app.stop());

describe('log-in', () => {
  it('accepts the username or the e-mail, in any case, and returns tokens and the user', async () => {
    const account = newAccount();
    const created = await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account });
    for (const body of [
      { username: account.username, password: account.password },
      { username: account.username.toUpperCase(), password: account.password },
      { email: account.email.toUpperCase(), password: account.password },
    ]) {
      const res = await call(app.baseUrl, 'POST', '/api/auth/login', { body });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        token: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        user: created.body,
      });
    }
  });

  it('gives one generic 401 for an unknown user and for a wrong password', async () => {
    const account = newAccount();
    await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account });
    const wrong = await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: account.username, password: 'Wr0ngPassword' } });
    const unknown = await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'Wr0ngPassword' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('answers 400 without a username or e-mail, or without a password', async () => {
    expect((await call(app.baseUrl, 'POST', '/api/auth/login', { body: { password: 'x' } })).status).toBe(400);
    expect((await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: 'x' } })).status).toBe(400);
  });

  it('answers the older clients on /auth/login with the same shape', async () => {
    const account = newAccount();
    await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account });
    const res = await call(app.baseUrl, 'POST', '/auth/login', { body: { username: account.username, password: account.password } });
    expect(res.status).toBe(200);
    expect(res.body.token).toEqual(expect.any(String));
    expect((await call(app.baseUrl, 'GET', '/api/auth/me', { token: res.body.token })).status).toBe(200);
  });
});

describe('refresh tokens', () => {
  it('rotate: the new pair works and the old refresh token stops working', async () => {
    const user = await signUpAndLogIn(app.baseUrl);
    const first = await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect((await call(app.baseUrl, 'GET', '/api/auth/me', { token: first.body.token })).body.id).toBe(user.id);
    const second = await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(second.status).toBe(200);
  });

  it('reuse of a used refresh token revokes the whole family', async () => {
    const user = await signUpAndLogIn(app.baseUrl);
    const rotated = await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } });
    const replay = await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_refresh_token');
    const afterTheft = await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(afterTheft.status).toBe(401);
    // Another session of the same user is untouched.
    const other = await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: user.username, password: user.password } });
    expect((await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: other.body.refreshToken } })).status).toBe(200);
  });

  it('logout revokes the refresh token', async () => {
    const user = await signUpAndLogIn(app.baseUrl);
    expect((await call(app.baseUrl, 'POST', '/api/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);
    expect((await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(401);
  });

  it('an unknown or empty refresh token is refused', async () => {
    expect((await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: 'made-up' } })).status).toBe(401);
    expect((await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: { refreshToken: '' } })).status).toBe(400);
    expect((await call(app.baseUrl, 'POST', '/api/auth/refresh', { body: {} })).status).toBe(400);
  });
});

describe('access tokens', () => {
  const forge = async (user: { id: string }, secret: Uint8Array, opts: { exp?: number; role?: string } = {}) =>
    new SignJWT({ role: opts.role ?? 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('aula')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 60)
      .sign(secret);

  it('a valid token gives /api/auth/me, read from the command side', async () => {
    const user = await signUpAndLogIn(app.baseUrl);
    const me = await call(app.baseUrl, 'GET', '/api/auth/me', { token: user.token });
    expect(me.body).toEqual({ id: user.id, username: user.username, email: user.email, role: 'student' });
  });

  it('refuses no token, alg none, a tampered, an expired and a wrong-secret token with 401', async () => {
    const user = await signUpAndLogIn(app.baseUrl);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: user.id, role: 'admin', iss: 'aula', exp: 9999999999 })}.`;
    const [header, , signature] = user.token.split('.');
    const tampered = `${header}.${b64({ sub: user.id, role: 'admin', iss: 'aula', exp: 9999999999 })}.${signature}`;
    const expired = await forge(user, app.runtime.ctx!.jwtSecret, { exp: Math.floor(Date.now() / 1000) - 5 });
    const wrongSecret = await forge(user, new TextEncoder().encode('x'.repeat(48)));
    for (const token of [undefined, none, tampered, expired, wrongSecret, 'garbage']) {
      const res = await call(app.baseUrl, 'GET', '/api/auth/me', token ? { token } : {});
      expect(res.status).toBe(401);
    }
    expect((await call(app.baseUrl, 'GET', '/api/auth/me', { token: expired })).body.error.code).toBe('token_expired');
  });

  it('refuses a validly signed token without exp, or whose sub is not a user id, with 401 (never 500)', async () => {
    const secret = app.runtime.ctx!.jwtSecret;
    const sign = (claims: { sub?: string; exp?: number }) => {
      let jwt = new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer('aula').setIssuedAt();
      if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
      if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
      return jwt.sign(secret);
    };
    const user = await signUpAndLogIn(app.baseUrl);
    const later = Math.floor(Date.now() / 1000) + 60;
    for (const token of [await sign({ sub: user.id }), await sign({ sub: 'not-a-uuid', exp: later }), await sign({ exp: later })]) {
      const res = await call(app.baseUrl, 'GET', '/api/auth/me', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('accepts the scheme in any case (RFC 7235): bearer, BEARER', async () => {
    const user = await signUpAndLogIn(app.baseUrl);
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await call(app.baseUrl, 'GET', '/api/auth/me', { headers: { authorization: `${scheme} ${user.token}` } });
      expect(res.status, scheme).toBe(200);
    }
    expect((await call(app.baseUrl, 'GET', '/api/auth/me', { headers: { authorization: `Basic ${user.token}` } })).status).toBe(401);
  });
});

describe('profile changes', () => {
  it('change username and e-mail; taken ones get 409; bad ones 400', async () => {
    const user = await signUpAndLogIn(app.baseUrl);
    const other = await signUpAndLogIn(app.baseUrl);
    const renamed = await call(app.baseUrl, 'PATCH', '/api/auth/me', { token: user.token, body: { username: `${user.username}r` } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.username).toBe(`${user.username}r`);
    expect((await call(app.baseUrl, 'PATCH', '/api/auth/me', { token: user.token, body: { email: other.email } })).status).toBe(409);
    expect((await call(app.baseUrl, 'PATCH', '/api/auth/me', { token: user.token, body: { email: 'nope' } })).status).toBe(400);
    expect((await call(app.baseUrl, 'PATCH', '/api/auth/me', { token: user.token, body: {} })).status).toBe(400);
    expect((await call(app.baseUrl, 'GET', '/api/auth/me', { token: user.token })).body.username).toBe(`${user.username}r`);
  });
});
