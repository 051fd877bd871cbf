import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { startOwnRedis } from '../../../test/redis-server.ts';
import { waitUntil } from '../../../test/wait.ts';
import { newAccount } from './test-helpers.ts';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const login = (body: object, headers: Record<string, string> = {}) => call(app!.baseUrl, 'POST', '/api/auth/login', { body, headers });

describe('rate limits', () => {
  it('log-in: per IP, then 429 with Retry-After in the one error format', async () => {
    app = await startTestApp({ env: { AULA_LOGIN_RATE_LIMIT: '3' } });
    for (let i = 0; i < 3; i++) expect((await login({ username: `nobody${i}`, password: 'x' })).status).toBe(401);
    const limited = await login({ username: 'nobody-else', password: 'x' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe('too_many_requests');
  });

  it('log-in: per account, even from many IPs (X-Forwarded-For trusted from the configured proxy)', async () => {
    app = await startTestApp({ env: { AULA_LOGIN_RATE_LIMIT: '3', AULA_TRUST_PROXY: '127.0.0.1' } });
    for (let i = 0; i < 3; i++) {
      expect((await login({ username: 'victim', password: 'guess' }, { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    }
    expect((await login({ username: 'VICTIM', password: 'guess' }, { 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
    // A very long login name is limited like any other (no database error).
    expect((await login({ email: `${'x'.repeat(240)}@uni.example`, password: 'guess' }, { 'x-forwarded-for': '203.0.113.50' })).status).toBe(401);
    // Another account from a fresh IP is not affected.
    expect((await login({ username: 'someone', password: 'guess' }, { 'x-forwarded-for': '203.0.113.100' })).status).toBe(401);
  });

  it('log-in: one bucket per account, whether named by username or e-mail', async () => {
    app = await startTestApp({ env: { AULA_LOGIN_RATE_LIMIT: '3', AULA_TRUST_PROXY: '127.0.0.1' } });
    const account = newAccount('bucket');
    expect((await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account })).status).toBe(201);
    const from = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
    expect((await login({ username: account.username, password: 'Wr0ngPass' }, from(1))).status).toBe(401);
    expect((await login({ email: account.email, password: 'Wr0ngPass' }, from(2))).status).toBe(401);
    expect((await login({ email: account.email.toUpperCase(), password: 'Wr0ngPass' }, from(3))).status).toBe(401);
    expect((await login({ username: account.username, password: account.password }, from(4))).status).toBe(429);
    expect((await login({ email: account.email, password: account.password }, from(5))).status).toBe(429);
  });

  it('fail-closed: while the limiter’s Redis is down log-in answers 503, never an uncounted attempt; it recovers with Redis', async () => {
    const redis = await startOwnRedis();
    try {
      app = await startTestApp({ env: { AULA_LOGIN_RATE_LIMIT: '2', REDIS_URL: redis.url } });
      const account = newAccount('closed');
      expect((await call(app.baseUrl, 'POST', '/api/auth/signup', { body: account })).status).toBe(201);
      expect((await login({ username: account.username, password: 'Wr0ngPass' })).status).toBe(401);
      expect((await login({ email: account.email, password: 'Wr0ngPass' })).status).toBe(401);
      expect((await login({ username: account.username, password: account.password })).status).toBe(429);
      await redis.stop();
      for (const body of [
        { username: account.username, password: account.password },
        { username: 'someone-else', password: 'x' },
      ]) {
        const res = await login(body);
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('rate_limit_unavailable');
        expect(res.headers.get('retry-after')).toBeTruthy();
      }
      await redis.start();
      // Back with Redis, attempts are counted again: a 401, or a 429 while the counts that Redis kept across its restart still block this IP.
      let status = 503;
      await waitUntil(async () => {
        status = (await login({ username: 'after-outage', password: 'x' })).status;
        return status !== 503;
      }, 20_000);
      expect([401, 429]).toContain(status);
    } finally {
      try {
        await redis.start(); // so the app's Redis connections close cleanly
        await app?.stop();
      } finally {
        app = undefined;
        await redis.remove();
      }
    }
  });

  it('without a trusted proxy, X-Forwarded-For does not change the client IP', async () => {
    app = await startTestApp({ env: { AULA_LOGIN_RATE_LIMIT: '2' } });
    expect((await login({ username: 'a1', password: 'x' }, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(401);
    expect((await login({ username: 'a2', password: 'x' }, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(401);
    expect((await login({ username: 'a3', password: 'x' }, { 'x-forwarded-for': '198.51.100.3' })).status).toBe(429);
  });

  it('sign-up: per IP', async () => {
    app = await startTestApp({ env: { AULA_SIGNUP_RATE_LIMIT: '2' } });
    expect((await call(app.baseUrl, 'POST', '/api/auth/signup', { body: newAccount() })).status).toBe(201);
    expect((await call(app.baseUrl, 'POST', '/api/auth/signup', { body: newAccount() })).status).toBe(201);
    const third = await call(app.baseUrl, 'POST', '/api/auth/signup', { body: newAccount() });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
  });

  it.skipIf(!inject('redisUrl'))('with REDIS_URL the counts live in Redis', async () => {
    const prefix = `aula-rl-${randomBytes(4).toString('hex')}`;
    app = await startTestApp({ env: { AULA_LOGIN_RATE_LIMIT: '2', REDIS_URL: inject('redisUrl')!, AULA_REDIS_PREFIX: prefix } });
    expect((await login({ username: 'r1', password: 'x' })).status).toBe(401);
    expect((await login({ username: 'r2', password: 'x' })).status).toBe(401);
    expect((await login({ username: 'r3', password: 'x' })).status).toBe(429);
    const { Redis } = await import('ioredis');
    const redis = new Redis(inject('redisUrl')!);
    const keys = await redis.keys(`${prefix}:rl:*`);
    redis.disconnect();
    expect(keys.length).toBeGreaterThan(0);
  });
});
