import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { AccountService } from './account-service.ts';
import * as S from './schemas.ts';
import type { Identity } from './service.ts';
import { publicUser } from './users.ts';

const tags = ['users'];
const security = [{ bearer: [] }];
const notFound = () => new HttpError(404, 'not_found', 'no such user');

/** The user directory (teachers and admins) and role management (admins). */
export function registerUserRoutes(scope: FastifyInstance, ctx: ModuleContext, identity: Identity, accounts: AccountService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const staff = ctx.auth.requireRole('teacher', 'admin');
  const admin = ctx.auth.requireRole('admin');

  app.get(
    '/api/users',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Search users by name or e-mail (read model; may trail writes by a moment)',
        security,
        querystring: S.UserQuery,
        response: { 200: S.UserPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => identity.directory.search(request.query.q?.trim() || undefined, request.query.page, request.query.pageSize),
  );

  app.get(
    '/api/users/:id',
    {
      onRequest: staff,
      schema: { tags, summary: 'One user (read model)', security, params: S.IdParams, response: { 200: S.User, ...errorResponses(401, 403, 404) } },
    },
    async (request) => {
      const user = isUuid(request.params.id) ? await identity.directory.byId(request.params.id) : undefined;
      if (!user) throw notFound();
      return user;
    },
  );

  app.patch(
    '/api/users/:id/role',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Change a user’s role',
        security,
        params: S.IdParams,
        body: S.RoleBody,
        response: { 200: S.User, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      if (!isUuid(request.params.id)) throw notFound();
      return publicUser(await identity.users.changeRole(request.params.id, request.body.role));
    },
  );

  app.post(
    '/api/users/promote',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Make the users with these e-mails teachers (admins stay admins)',
        security,
        body: S.PromoteBody,
        response: { 200: S.PromoteResult, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => accounts.promote(request.body.emails),
  );
}
