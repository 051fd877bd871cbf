import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import { idempotencyKeyOf, requestFingerprint, sendOutcome } from '../../platform/http/idempotency.ts';
import { readCookie } from '../../platform/http/cookies.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { AccountService } from './account-service.ts';
import { createAuthLimiters } from './rate-limits.ts';
import * as S from './schemas.ts';
import type { Identity } from './service.ts';
import { clearSessionCookies, REFRESH_COOKIE, setSessionCookies, wantsCookie } from './session-cookie.ts';
import type { SessionTokens } from './sessions.ts';
import { identitySettings } from './config.ts';

const security = [{ bearer: [] }];
const noContent = { 204: { type: 'null' } } as const;

/** Sign-up, log-in, refresh, log-out and the caller's own account, plus the older clients' paths. */
export async function registerAuthRoutes(scope: FastifyInstance, ctx: ModuleContext, identity: Identity, accounts: AccountService): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const limit = await createAuthLimiters(scope, ctx.pool, ctx.config);
  // With `X-Aula-Session: cookie` (the web app) the refresh token lives in an httpOnly cookie, never in the body.
  const deliver = (request: FastifyRequest, reply: FastifyReply, tokens: SessionTokens) =>
    wantsCookie(request) ? setSessionCookies(request, reply, tokens, identitySettings.get(ctx.config).refreshTokenTtlDays) : tokens;
  const refreshTokenOf = (request: FastifyRequest, body: { refreshToken?: string } | null | undefined) => {
    const token = body?.refreshToken ?? readCookie(request, REFRESH_COOKIE);
    if (!token)
      throw new HttpError(400, 'validation_failed', 'send the refresh token', [
        { field: 'refreshToken', message: 'is required (in the body or the session cookie)' },
      ]);
    return token;
  };

  app.post(
    '/api/auth/signup',
    {
      onRequest: limit.signupPerIp,
      schema: {
        tags: ['auth'],
        summary: 'Create an account; a retry with the same Idempotency-Key gets the same answer and creates nothing',
        headers: S.IdempotencyHeaders,
        body: S.SignupBody,
        response: { 201: S.User, ...errorResponses(400, 409, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const key = idempotencyKeyOf(request);
      const claim = key ? { caller: 'anonymous', route: 'POST /api/auth/signup', key, fingerprint: requestFingerprint(ctx.jwtSecret, body) } : undefined;
      return sendOutcome(reply, await accounts.signUp(body, claim));
    },
  );

  app.post(
    '/auth/signup',
    {
      onRequest: limit.signupPerIp,
      schema: {
        tags: ['compatibility'],
        summary: 'Create an account (older clients): also logs in',
        body: S.SignupBody,
        response: { 201: S.LegacySignupResponse, ...errorResponses(400, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const { user, tokens } = await accounts.signUpAndStart(request.body ?? {});
      return reply.status(201).send({ ...user, ...tokens, user });
    },
  );

  for (const url of ['/api/auth/login', '/auth/login']) {
    app.post(
      url,
      {
        onRequest: limit.loginPerIp,
        schema: {
          tags: url.startsWith('/api') ? ['auth'] : ['compatibility'],
          summary: 'Log in with a username or e-mail and a password',
          body: S.LoginBody,
          response: { 200: S.LoginResponse, ...errorResponses(400, 401, 429, 503) },
        },
      },
      async (request, reply) => {
        // One bucket per account, whether it is named by username or e-mail.
        const { tokens, user } = await accounts.logIn(request.body, (account) => limit.loginPerAccount(account, reply));
        return { ...deliver(request, reply, tokens), user };
      },
    );
  }

  app.post(
    '/api/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token (body or session cookie) for a new pair (the old one stops working)',
        body: S.RefreshBody,
        response: { 200: S.Tokens, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      try {
        return deliver(request, reply, await identity.sessions.rotate(refreshTokenOf(request, request.body)));
      } catch (error) {
        if (wantsCookie(request)) clearSessionCookies(request, reply);
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the session of this refresh token (body or session cookie)',
        body: S.RefreshBody,
        response: { ...noContent, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      await identity.sessions.revoke(refreshTokenOf(request, request.body));
      clearSessionCookies(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      onRequest: ctx.auth.authenticate,
      schema: { tags: ['auth'], summary: 'The caller’s account (always up to date)', security, response: { 200: S.User, ...errorResponses(401, 404) } },
    },
    async (request) => accounts.me(request.user!.id),
  );

  app.patch(
    '/api/auth/me',
    {
      onRequest: ctx.auth.authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Change the caller’s username or e-mail',
        security,
        body: S.ProfileBody,
        response: { 200: S.User, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => accounts.changeProfile(request.user!.id, request.body),
  );
}
