import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Guard } from '../../platform/auth/guards.ts';
import type { Config } from '../../platform/config.ts';
import { HttpError } from '../../platform/http/errors.ts';

/** The limiters in front of log-in and sign-up. */
export interface AuthLimiters {
  loginPerIp: Guard;
  loginPerAccount: Guard;
  signupPerIp: Guard;
}

const accountOf = (request: FastifyRequest) => {
  const body = (request.body ?? {}) as { username?: unknown; email?: unknown };
  const login = typeof body.email === 'string' ? body.email : typeof body.username === 'string' ? body.username : '';
  // Hashed: keys stay short whatever was typed, and the store holds no account names.
  return createHash('sha256').update(login.trim().toLowerCase()).digest('base64url');
};

function guard(limiter: RateLimiterAbstract, keyOf: (request: FastifyRequest) => string): Guard {
  return async (request, reply) => {
    try {
      await limiter.consume(keyOf(request));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      reply.header('retry-after', String(seconds));
      throw new HttpError(429, 'too_many_requests', `too many attempts; try again in ${seconds} s`, { retryAfterSeconds: seconds });
    }
  };
}

/**
 * Builds the log-in and sign-up limiters (rate-limiter-flexible). Counts live in
 * Redis when REDIS_URL is set (with an in-memory fallback if Redis fails), else in
 * PostgreSQL, so every API process shares them either way.
 */
export async function createAuthLimiters(app: FastifyInstance, pool: pg.Pool, config: Config): Promise<AuthLimiters> {
  const { windowSeconds, loginPerWindow, signupPerWindow } = config.rateLimits;
  let make: (keyPrefix: string, points: number) => RateLimiterAbstract;
  if (config.redisUrl) {
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', (error: Error) => app.log.warn({ err: error.message }, 'rate-limit redis error'));
    app.addHook('onClose', async () => void redis.disconnect());
    // Commands fail fast (to the in-memory insurance limiter) while Redis is away; give it a moment to connect first.
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
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: windowSeconds }),
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
  return {
    loginPerIp: guard(make('login-ip', loginPerWindow), (r) => r.ip),
    loginPerAccount: guard(make('login-account', loginPerWindow), accountOf),
    signupPerIp: guard(make('signup-ip', signupPerWindow), (r) => r.ip),
  };
}
