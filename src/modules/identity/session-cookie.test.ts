import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { newAccount } from './test-helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ queues: ['identity.project'] });
});
afterAll(async () => app.stop());

const COOKIE_MODE = { 'x-aula-session': 'cookie' };
const cookiesOf = (headers: Headers) => headers.getSetCookie();
const cookieValue = (setCookies: string[], name: string) =>
  setCookies
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);

async function cookieLogin() {
  const account = newAccount('cookie');
  await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account });
  return call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: account.username, password: account.password }, headers: COOKIE_MODE });
}

describe('session cookie (web app)', () => {
  it('log-in in cookie mode keeps the refresh token out of the body, in an httpOnly SameSite=Strict cookie', async () => {
    const login = await cookieLogin();
    expect(login.status).toBe(200);
    expect(login.body.token).toEqual(expect.any(String));
    expect(login.body.refreshToken).toBeUndefined();
    const refresh = cookiesOf(login.headers).find((c) => c.startsWith('aula_refresh='))!;
    expect(refresh).toMatch(/; Path=\/api\/auth; Max-Age=2592000; HttpOnly; SameSite=Strict$/);
    expect(refresh).not.toContain('Secure');
    const queues = cookiesOf(login.headers).find((c) => c.startsWith('aula_queues='))!;
    expect(queues).toMatch(/; Path=\/admin\/queues; Max-Age=900; HttpOnly; SameSite=Strict$/);
  });

  it('refresh reads the cookie, rotates it, and the old cookie stops working', async () => {
    const login = await cookieLogin();
    const first = cookieValue(cookiesOf(login.headers), 'aula_refresh')!;
    const refreshed = await call(app.baseUrl, 'POST', '/api/auth/refresh', { headers: { ...COOKIE_MODE, cookie: `aula_refresh=${first}` } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    const second = cookieValue(cookiesOf(refreshed.headers), 'aula_refresh')!;
    expect(second).not.toBe(first);
    const me = await call(app.baseUrl, 'GET', '/api/auth/me', { token: refreshed.body.token });
    expect(me.status).toBe(200);
    const replay = await call(app.baseUrl, 'POST', '/api/auth/refresh', { headers: { ...COOKIE_MODE, cookie: `aula_refresh=${first}` } });
    expect(replay.status).toBe(401);
    expect(cookieValue(cookiesOf(replay.headers), 'aula_refresh')).toBe('');
  });

  it('is Secure behind https (trusted proxy)', async () => {
    const proxied = await startTestApp({ env: { AULA_TRUST_PROXY: 'true' } });
    try {
      const account = newAccount('secure');
      await call(proxied.baseUrl, 'POST', '/api/auth/signup', { body: account });
      const login = await call(proxied.baseUrl, 'POST', '/api/auth/login', {
        body: { username: account.username, password: account.password },
        headers: { ...COOKIE_MODE, 'x-forwarded-proto': 'https' },
      });
      expect(cookiesOf(login.headers).every((c) => c.includes('; Secure'))).toBe(true);
    } finally {
      await proxied.stop();
    }
  });

  it('log-out by cookie revokes the session and clears both cookies', async () => {
    const login = await cookieLogin();
    const token = cookieValue(cookiesOf(login.headers), 'aula_refresh')!;
    const out = await call(app.baseUrl, 'POST', '/api/auth/logout', { headers: { ...COOKIE_MODE, cookie: `aula_refresh=${token}` } });
    expect(out.status).toBe(204);
    expect(cookiesOf(out.headers).map((c) => c.split(';')[0])).toEqual(['aula_refresh=', 'aula_queues=']);
    const after = await call(app.baseUrl, 'POST', '/api/auth/refresh', { headers: { cookie: `aula_refresh=${token}` } });
    expect(after.status).toBe(401);
  });

  it('without a body or cookie, refresh is a 400 naming the field; Bearer clients keep the body token', async () => {
    const none = await call(app.baseUrl, 'POST', '/api/auth/refresh');
    expect(none.status).toBe(400);
    expect(none.body.error.details[0].field).toBe('refreshToken');
    const account = newAccount('bearer');
    await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account });
    const login = await call(app.baseUrl, 'POST', '/api/auth/login', { body: { username: account.username, password: account.password } });
    expect(login.body.refreshToken).toEqual(expect.any(String));
    expect(login.headers.get('set-cookie')).toBeNull();
  });
});
