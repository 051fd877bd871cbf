import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../../platform/config.ts';
import { HttpError } from '../../platform/http/errors.ts';
import type { Guard } from '../../platform/auth/guards.ts';

/** The limiters in front of log-in and sign-up. */
export interface AuthLimiters {
  loginPerIp: Guard;
  loginPerAccount: Guard;
  signupPerIp: Guard;
}

const accountOf = (request: FastifyRequest) => {
  const body = (request.body ?? {}) as { username?: unknown; email?: unknown };
  const login = typeof body.email === 'string' ? body.email : typeof body.username === 'string' ? body.username : '';
  return `account:${login.trim().toLowerCase()}`;
};

/**
 * Registers @fastify/rate-limit in this scope (in Redis when REDIS_URL is set,
 * so every API process shares the counts) and returns the per-route limiters.
 */
export async function installAuthLimiters(scope: FastifyInstance, config: Config): Promise<AuthLimiters> {
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 }) : undefined;
  redis?.on('error', (error: Error) => scope.log.warn({ err: error.message }, 'rate-limit redis error'));
  if (redis) scope.addHook('onClose', async () => void redis.disconnect());
  await scope.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: `${config.redisPrefix}:ratelimit:` } : {}),
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'too_many_requests', `too many attempts; try again in ${Math.ceil(context.ttl / 1000)} s`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });
  const { windowSeconds, loginPerWindow, signupPerWindow } = config.rateLimits;
  const timeWindow = windowSeconds * 1000;
  return {
    loginPerIp: scope.rateLimit({ max: loginPerWindow, timeWindow, groupId: 'login-ip', keyGenerator: (r) => `ip:${r.ip}` }) as Guard,
    loginPerAccount: scope.rateLimit({ max: loginPerWindow, timeWindow, groupId: 'login-account', keyGenerator: accountOf }) as Guard,
    signupPerIp: scope.rateLimit({ max: signupPerWindow, timeWindow, groupId: 'signup-ip', keyGenerator: (r) => `ip:${r.ip}` }) as Guard,
  };
}
