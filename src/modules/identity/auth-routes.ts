import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import { idempotencyKeyOf, requestFingerprint, runOnce, sendOutcome } from '../../platform/http/idempotency.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { accountKey, createAuthLimiters } from './rate-limits.ts';
import { loginBodySchema, loginResponseSchema, refreshBodySchema, signupBodySchema, tokensSchema, userSchema } from './schemas.ts';
import type { Identity } from './service.ts';
import type { SessionTokens } from './sessions.ts';
import { publicUser } from './users.ts';
import { emailProblem, parseSignup, usernameProblem, type FieldProblem } from './validation.ts';
import { verifyPassword } from './passwords.ts';
import { readCookie } from '../../platform/http/cookies.ts';
import { clearSessionCookies, REFRESH_COOKIE, setSessionCookies, wantsCookie } from './session-cookie.ts';

interface LoginBody {
  username?: string;
  email?: string;
  password: string;
}

const BAD_LOGIN = () => new HttpError(401, 'invalid_credentials', 'the username, e-mail or password is not correct');

/** Sign-up, log-in, refresh, log-out and the caller's own account, plus the older clients' paths. */
export async function registerAuthRoutes(scope: FastifyInstance, ctx: ModuleContext, identity: Identity): Promise<void> {
  const limit = await createAuthLimiters(scope, ctx.pool, ctx.config);
  const { users, sessions } = identity;
  // With `X-Aula-Session: cookie` (the web app) the refresh token lives in an httpOnly cookie, never in the body.
  const deliver = (request: FastifyRequest, reply: FastifyReply, tokens: SessionTokens) =>
    wantsCookie(request) ? setSessionCookies(request, reply, tokens, ctx.config.refreshTokenTtlDays) : tokens;
  const refreshTokenOf = (request: FastifyRequest<{ Body: { refreshToken?: string } | undefined }>) => {
    const token = request.body?.refreshToken ?? readCookie(request, REFRESH_COOKIE);
    if (!token) throw new HttpError(400, 'validation_failed', 'send the refresh token', [{ field: 'refreshToken', message: 'is required (in the body or the session cookie)' }]);
    return token;
  };

  const signup = async (body: Record<string, unknown>, within?: Parameters<typeof users.register>[1]) => {
    const parsed = parseSignup(body);
    if ('problems' in parsed) throw new HttpError(400, 'validation_failed', 'the sign-up is invalid', parsed.problems);
    const user = await users.register(parsed.value, within);
    return user;
  };

  scope.post<{ Body: Record<string, unknown> }>('/api/auth/signup', {
    onRequest: limit.signupPerIp,
    schema: {
      tags: ['auth'],
      summary: 'Create an account; a retry with the same Idempotency-Key gets the same answer and creates nothing',
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
      body: signupBodySchema,
      response: { 201: userSchema, ...errorResponses(400, 409, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const key = idempotencyKeyOf(request);
    if (!key) return reply.status(201).send(publicUser(await signup(body)));
    const parsed = parseSignup(body);
    if ('problems' in parsed) throw new HttpError(400, 'validation_failed', 'the sign-up is invalid', parsed.problems);
    const claim = { caller: 'anonymous', route: 'POST /api/auth/signup', key, fingerprint: requestFingerprint(ctx.jwtSecret, body) };
    const outcome = await runOnce(identity.db, claim, async (tx) => ({ status: 201, body: publicUser(await users.register(parsed.value, undefined, tx)) }));
    if (!outcome.replayed) await identity.notifyProjector('user.registered');
    return sendOutcome(reply, outcome);
  });

  scope.post<{ Body: Record<string, unknown> }>('/auth/signup', {
    onRequest: limit.signupPerIp,
    schema: {
      tags: ['compatibility'],
      summary: 'Create an account (older clients): also logs in',
      body: signupBodySchema,
      response: { 201: { ...loginResponseSchema, properties: { ...loginResponseSchema.properties, ...userSchema.properties } }, ...errorResponses(400, 409, 429, 503) },
    },
  }, async (request, reply) => {
    // The account and its first session commit together: no account left behind without the tokens the client asked for.
    let tokens: SessionTokens | undefined;
    const user = await signup(request.body ?? {}, async (tx, created) => {
      tokens = await sessions.start(created, tx);
    });
    return reply.status(201).send({ ...publicUser(user), ...tokens!, user: publicUser(user) });
  });

  const login = async (body: LoginBody, reply: FastifyReply) => {
    const problems: FieldProblem[] = [];
    if (body.username === undefined && body.email === undefined) problems.push({ field: 'username', message: 'give a username or an e-mail' });
    if (problems.length > 0) throw new HttpError(400, 'validation_failed', 'the log-in is invalid', problems);
    const user = await users.findByLogin(body);
    // One bucket per account, whether it is named by username or e-mail.
    await limit.loginPerAccount(accountKey(body, user?.id), reply);
    if (!(await verifyPassword(user?.passwordHash, body.password)) || !user) throw BAD_LOGIN();
    return { tokens: await sessions.start(user), user: publicUser(user) };
  };
  for (const url of ['/api/auth/login', '/auth/login']) {
    scope.post<{ Body: LoginBody }>(url, {
      onRequest: limit.loginPerIp,
      schema: {
        tags: url.startsWith('/api') ? ['auth'] : ['compatibility'],
        summary: 'Log in with a username or e-mail and a password',
        body: loginBodySchema,
        response: { 200: loginResponseSchema, ...errorResponses(400, 401, 429, 503) },
      },
    }, async (request, reply) => {
      const { tokens, user } = await login(request.body, reply);
      return { ...deliver(request, reply, tokens), user };
    });
  }

  scope.post<{ Body: { refreshToken?: string } | undefined }>('/api/auth/refresh', {
    schema: { tags: ['auth'], summary: 'Trade a refresh token (body or session cookie) for a new pair (the old one stops working)', body: refreshBodySchema, response: { 200: tokensSchema, ...errorResponses(400, 401) } },
  }, async (request, reply) => {
    try {
      return deliver(request, reply, await sessions.rotate(refreshTokenOf(request)));
    } catch (error) {
      if (wantsCookie(request)) clearSessionCookies(request, reply);
      throw error;
    }
  });

  scope.post<{ Body: { refreshToken?: string } | undefined }>('/api/auth/logout', {
    schema: { tags: ['auth'], summary: 'End the session of this refresh token (body or session cookie)', body: refreshBodySchema, response: { 204: { type: 'null' }, ...errorResponses(400) } },
  }, async (request, reply) => {
    await sessions.revoke(refreshTokenOf(request));
    clearSessionCookies(request, reply);
    return reply.status(204).send();
  });

  const bearer = [{ bearer: [] }];
  scope.get('/api/auth/me', {
    onRequest: ctx.auth.authenticate,
    schema: { tags: ['auth'], summary: 'The caller’s account (always up to date)', security: bearer, response: { 200: userSchema, ...errorResponses(401, 404) } },
  }, async (request) => {
    const user = await users.byId(request.user!.id);
    if (!user) throw new HttpError(404, 'not_found', 'this account no longer exists');
    return publicUser(user);
  });

  scope.patch<{ Body: { username?: string; email?: string } }>('/api/auth/me', {
    onRequest: ctx.auth.authenticate,
    schema: {
      tags: ['auth'],
      summary: 'Change the caller’s username or e-mail',
      security: bearer,
      body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { username: { type: 'string', maxLength: 256 }, email: { type: 'string', maxLength: 256 } } },
      response: { 200: userSchema, ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request) => {
    const { username, email } = request.body;
    const problems: FieldProblem[] = [];
    const usernameIssue = username === undefined ? undefined : usernameProblem(username);
    const emailIssue = email === undefined ? undefined : emailProblem(email);
    if (usernameIssue) problems.push({ field: 'username', message: usernameIssue });
    if (emailIssue) problems.push({ field: 'email', message: emailIssue });
    if (problems.length > 0) throw new HttpError(400, 'validation_failed', 'the change is invalid', problems);
    const user = await users.changeProfile(request.user!.id, { ...(username ? { username } : {}), ...(email ? { email: email.trim() } : {}) });
    return publicUser(user);
  });
}
