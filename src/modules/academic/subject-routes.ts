import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from '../../platform/auth/guards.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import * as S from './schemas.ts';
import type { AcademicService } from './service.ts';

const tags = ['academic'];
const security = [{ bearer: [] }];
const noContent = { 204: { type: 'null' } } as const;

/** Subjects: create (one or a list), list, rename, delete — teachers and admins (listing: anyone signed in). */
export function registerSubjectRoutes(scope: FastifyInstance, auth: AuthGuards, academic: AcademicService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const staff = auth.requireRole('teacher', 'admin');

  app.post(
    '/api/subjects',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Create a subject, or a list of them (all or none)',
        security,
        body: S.SubjectsBody,
        response: { 201: S.Type.Object({ created: S.Type.Array(S.Subject) }), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const list = Array.isArray(request.body) ? request.body : [request.body];
      return reply.status(201).send({ created: await academic.createSubjects(list) });
    },
  );

  app.get(
    '/api/subjects',
    {
      onRequest: auth.authenticate,
      schema: { tags, summary: 'All subjects', security, response: { 200: S.Type.Object({ data: S.Type.Array(S.Subject) }), ...errorResponses(401) } },
    },
    async () => ({ data: await academic.subjects() }),
  );

  app.patch(
    '/api/subjects/:code',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Rename a subject',
        security,
        params: S.CodeParams,
        body: S.RenameBody,
        response: { 200: S.Subject, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => academic.renameSubject(request.params.code, request.body.name),
  );

  app.delete(
    '/api/subjects/:code',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Delete a subject that no course uses',
        security,
        params: S.CodeParams,
        response: { ...noContent, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await academic.deleteSubject(request.params.code);
      return reply.status(204).send(null);
    },
  );
}
