import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Guard } from '../../platform/auth/guards.ts';
import type { Config } from '../../platform/config.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { identitySettings } from './config.ts';

/** The limiters in front of log-in and sign-up. */
export interface AuthLimiters {
  loginPerIp: Guard;
  /** Counts one attempt against an account, whichever name (username or e-mail) it was given by. */
  loginPerAccount: (accountKey: string, reply: FastifyReply) => Promise<void>;
  signupPerIp: Guard;
}

/** The bucket of a log-in: the account's id when the name is known, else a hash of the name as typed. */
export function accountKey(login: { username?: string; email?: string }, userId: string | undefined): string {
  if (userId) return `user:${userId}`;
  const name = login.email ?? login.username ?? '';
  // Hashed: keys stay short whatever was typed, and the store holds no account names.
  return `name:${createHash('sha256').update(name.trim().toLowerCase()).digest('base64url')}`;
}

/**
 * Consumes one point. Fail-closed: when the counter store (Redis or PostgreSQL) does
 * not answer, the attempt is refused with 503 rather than let through uncounted —
 * otherwise an outage (or an attacker overloading the store) would lift the limit.
 */
async function consume(limiter: RateLimiterAbstract, key: string, reply: FastifyReply): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) {
      reply.header('retry-after', '5');
      throw new HttpError(503, 'rate_limit_unavailable', 'log-in and sign-up are unavailable for a moment; try again shortly', { retryAfterSeconds: 5 });
    }
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    reply.header('retry-after', String(seconds));
    throw new HttpError(429, 'too_many_requests', `too many attempts; try again in ${seconds} s`, { retryAfterSeconds: seconds });
  }
}

function guard(limiter: RateLimiterAbstract, keyOf: (request: FastifyRequest) => string): Guard {
  return async (request, reply) => consume(limiter, keyOf(request), reply);
}

/**
 * Builds the log-in and sign-up limiters (rate-limiter-flexible). Counts live in
 * Redis when REDIS_URL is set, else in PostgreSQL, so every API process shares them
 * either way; while the store is away the limited routes answer 503 (fail-closed).
 */
export async function createAuthLimiters(app: FastifyInstance, pool: pg.Pool, config: Config): Promise<AuthLimiters> {
  const { windowSeconds, loginPerWindow, signupPerWindow } = identitySettings.get(config).rateLimits;
  let make: (keyPrefix: string, points: number) => RateLimiterAbstract;
  if (config.redisUrl) {
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', (error: Error) => app.log.warn({ err: error.message }, 'rate-limit redis error'));
    app.addHook('onClose', async () => void redis.disconnect());
    // Commands fail fast (503, fail-closed) while Redis is away; give it a moment to connect first.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    make = (keyPrefix, points) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redisPrefix}:rl:${keyPrefix}`,
        points,
        duration: windowSeconds,
      });
  } else {
    make = (keyPrefix, points) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        schemaName: 'identity',
        tableName: 'rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix,
        points,
        duration: windowSeconds,
      });
  }
  const accountLimiter = make('login-account', loginPerWindow);
  return {
    loginPerIp: guard(make('login-ip', loginPerWindow), (r) => r.ip),
    loginPerAccount: (key, reply) => consume(accountLimiter, key, reply),
    signupPerIp: guard(make('signup-ip', signupPerWindow), (r) => r.ip),
  };
}
