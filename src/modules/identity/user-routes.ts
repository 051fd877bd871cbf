import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../platform/auth/tokens.ts';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { userSchema } from './schemas.ts';
import type { Identity } from './service.ts';
import { publicUser } from './users.ts';
import { emailProblem } from './validation.ts';
import { isUuid } from '../../platform/ids.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const bearer = [{ bearer: [] }];
const notFound = () => new HttpError(404, 'not_found', 'no such user');

/** The user directory (teachers and admins) and role management (admins). */
export function registerUserRoutes(scope: FastifyInstance, ctx: ModuleContext, identity: Identity): void {
  const staff = ctx.auth.requireRole('teacher', 'admin');
  const admin = ctx.auth.requireRole('admin');

  scope.get<{ Querystring: { q?: string; page: number; pageSize: number } }>('/api/users', {
    onRequest: staff,
    schema: {
      tags: ['users'],
      summary: 'Search users by name or e-mail (read model; may trail writes by a moment)',
      security: bearer,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          q: { type: 'string', maxLength: 100 },
          page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
          pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: { data: { type: 'array', items: userSchema }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' } },
        },
        ...errorResponses(400, 401, 403),
      },
    },
  }, async (request) => identity.directory.search(request.query.q?.trim() || undefined, request.query.page, request.query.pageSize));

  scope.get<{ Params: { id: string } }>('/api/users/:id', {
    onRequest: staff,
    schema: { tags: ['users'], summary: 'One user (read model)', security: bearer, params: idParams, response: { 200: userSchema, ...errorResponses(401, 403, 404) } },
  }, async (request) => {
    const user = isUuid(request.params.id) ? await identity.directory.byId(request.params.id) : undefined;
    if (!user) throw notFound();
    return user;
  });

  scope.patch<{ Params: { id: string }; Body: { role: Role } }>('/api/users/:id/role', {
    onRequest: admin,
    schema: {
      tags: ['users'],
      summary: 'Change a user’s role',
      security: bearer,
      params: idParams,
      body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role: { type: 'string', enum: [...ROLES] } } },
      response: { 200: userSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    if (!isUuid(request.params.id)) throw notFound();
    const user = await identity.users.changeRole(request.params.id, request.body.role);
    return publicUser(user);
  });

  scope.post<{ Body: { emails: string[] } }>('/api/users/promote', {
    onRequest: admin,
    schema: {
      tags: ['users'],
      summary: 'Make the users with these e-mails teachers (admins stay admins)',
      security: bearer,
      body: {
        type: 'object',
        required: ['emails'],
        additionalProperties: false,
        properties: { emails: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', maxLength: 256 } } },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            promoted: { type: 'array', items: userSchema },
            unchanged: { type: 'array', items: userSchema },
            unknownEmails: { type: 'array', items: { type: 'string' } },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    },
  }, async (request) => {
    const invalid = request.body.emails.flatMap((email, i) => {
      const problem = emailProblem(email);
      return problem ? [{ field: `emails.${i}`, message: problem }] : [];
    });
    if (invalid.length > 0) throw new HttpError(400, 'validation_failed', 'some e-mails are invalid', invalid);
    const found = await identity.users.byEmails(request.body.emails);
    const unknownEmails = [...new Set(request.body.emails.map((e) => e.trim()))].filter((email) => !found.get(email.toLowerCase()));
    const known = [...new Map([...found.values()].map((u) => [u.id, u])).values()];
    // One transaction: every student on the list becomes a teacher, or none does.
    const promotedUsers = await identity.users.promoteToTeachers(known.filter((u) => u.role === 'student').map((u) => u.id));
    const promotedIds = new Set(promotedUsers.map((u) => u.id));
    const promoted = promotedUsers.map(publicUser);
    const unchanged = known.filter((u) => !promotedIds.has(u.id)).map(publicUser);
    return { promoted, unchanged, unknownEmails };
  });
}
