import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from '../../platform/auth/guards.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { idempotencyKeyOf, requestFingerprint } from '../../platform/http/idempotency.ts';
import * as S from './schemas.ts';
import type { ProjectService } from './service.ts';
import type { SecretService } from './secret-service.ts';
import type { StageService } from './stage-service.ts';
import type { TeamService } from './team-service.ts';

/** The projects services the routes call. */
export interface ProjectsServices {
  projects: ProjectService;
  team: TeamService;
  stages: StageService;
  secrets: SecretService;
}

const tags = ['projects'];
const security = [{ bearer: [] }];
const noContent = { 204: { type: 'null' } } as const;

/** The projects HTTP API: each route parses, calls a service, and sends what it returns. */
export function registerProjectRoutes(scope: FastifyInstance, auth: AuthGuards, s: ProjectsServices, fingerprintSecret: Uint8Array): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', auth.authenticate);
  const doc = (summary: string) => ({ tags, summary, security });

  app.post(
    '/api/projects',
    {
      schema: {
        ...doc('Create a project (the caller becomes its owner); a retry with the same Idempotency-Key gets the same project'),
        body: S.CreateBody,
        response: { 201: S.Project, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request);
      const claim = key && { caller: request.user!.id, route: 'POST /api/projects', key, fingerprint: requestFingerprint(fingerprintSecret, request.body) };
      return reply.status(201).send(await s.projects.create(request.user!, request.body, claim || undefined));
    },
  );
  app.get(
    '/api/projects',
    { schema: { ...doc('Projects the caller may see, paged'), querystring: S.ListQuery, response: { 200: S.ProjectPage, ...errorResponses(400, 401, 404) } } },
    async (request) => s.projects.list(request.user!, request.query),
  );
  app.get(
    '/api/projects/tags',
    { schema: { ...doc("A course group's tags with counts"), querystring: S.TagsQuery, response: { 200: S.TagCounts, ...errorResponses(400, 401, 404) } } },
    async (request) => ({ data: await s.projects.tags(request.user!, request.query.courseId) }),
  );
  app.get(
    '/api/projects/by-slug/:slug',
    { schema: { ...doc('One project by slug'), params: S.SlugParams, response: { 200: S.Project, ...errorResponses(401, 404) } } },
    async (request) => s.projects.get(request.user!, { slug: request.params.slug }),
  );
  app.get(
    '/api/projects/:id',
    { schema: { ...doc('One project'), params: S.IdParams, response: { 200: S.Project, ...errorResponses(401, 404) } } },
    async (request) => s.projects.get(request.user!, { id: request.params.id }),
  );
  app.patch(
    '/api/projects/:id',
    {
      schema: {
        ...doc('Change a project (its team)'),
        params: S.IdParams,
        body: S.PatchBody,
        response: { 200: S.Project, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => s.projects.update(request.user!, request.params.id, request.body),
  );
  app.delete(
    '/api/projects/:id',
    {
      schema: {
        ...doc('Delete a project (its owner; drop its database first)'),
        params: S.IdParams,
        response: { ...noContent, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await s.projects.delete(request.user!, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/projects/:id/members',
    { schema: { ...doc('The team'), params: S.IdParams, response: { 200: S.Team, ...errorResponses(401, 404) } } },
    async (request) => ({ data: await s.team.members(request.user!, request.params.id) }),
  );
  app.post(
    '/api/projects/:id/members',
    {
      schema: {
        ...doc('Add members by id or e-mail (enrolled in the course group)'),
        params: S.IdParams,
        body: S.AddMembersBody,
        response: { 200: S.AddedMembers, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => s.team.add(request.user!, request.params.id, request.body),
  );
  app.patch(
    '/api/projects/:id/members/:userId',
    {
      schema: {
        ...doc('Transfer ownership to a member (the owner)'),
        params: S.MemberParams,
        body: S.MemberPatchBody,
        response: { 200: S.Team, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ data: await s.team.transfer(request.user!, request.params.id, request.params.userId) }),
  );
  app.delete(
    '/api/projects/:id/members/:userId',
    { schema: { ...doc('Remove a member (the owner)'), params: S.MemberParams, response: { ...noContent, ...errorResponses(401, 403, 404, 409) } } },
    async (request, reply) => {
      await s.team.remove(request.user!, request.params.id, request.params.userId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/projects/:id/ratings',
    {
      schema: {
        ...doc('Rate 1–5 (again to change it); not for the team'),
        params: S.IdParams,
        body: S.RatingBody,
        response: { 200: S.Rating, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.team.rate(request.user!, request.params.id, request.body.score),
  );

  app.get(
    '/api/projects/:id/stages',
    { schema: { ...doc('The stages in order'), params: S.IdParams, response: { 200: S.Stages, ...errorResponses(401, 404) } } },
    async (request) => ({ data: await s.stages.list(request.user!, request.params.id) }),
  );
  app.post(
    '/api/projects/:id/stages',
    {
      schema: {
        ...doc('Append a stage (the team or the teacher)'),
        params: S.IdParams,
        body: S.StageBody,
        response: { 201: S.Stage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await s.stages.add(request.user!, request.params.id, request.body)),
  );
  app.patch(
    '/api/projects/:id/stages/:stageId',
    {
      schema: {
        ...doc('Rename a stage or move its due date'),
        params: S.StageParams,
        body: S.StagePatchBody,
        response: { 200: S.Stage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.stages.update(request.user!, request.params.id, request.params.stageId, request.body),
  );
  app.delete(
    '/api/projects/:id/stages/:stageId',
    { schema: { ...doc('Remove a stage'), params: S.StageParams, response: { ...noContent, ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      await s.stages.remove(request.user!, request.params.id, request.params.stageId);
      return reply.status(204).send(null);
    },
  );
  app.put(
    '/api/projects/:id/stages/:stageId/submission',
    {
      schema: {
        ...doc('Submit a stage (the team)'),
        params: S.StageParams,
        body: S.SubmissionBody,
        response: { 200: S.Stage, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => s.stages.submit(request.user!, request.params.id, request.params.stageId, request.body),
  );
  app.put(
    '/api/projects/:id/stages/:stageId/review',
    {
      schema: {
        ...doc("Review a submitted stage (the course's teacher)"),
        params: S.StageParams,
        body: S.ReviewBody,
        response: { 200: S.Stage, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => s.stages.review(request.user!, request.params.id, request.params.stageId, request.body),
  );

  app.get(
    '/api/projects/:id/env',
    {
      schema: {
        ...doc('Environment variables: names, scopes, masked hints — never values'),
        params: S.IdParams,
        response: { 200: S.EnvVars, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => ({ data: await s.secrets.listEnv(request.user!, request.params.id) }),
  );
  app.put(
    '/api/projects/:id/env/:key',
    {
      schema: {
        ...doc('Set one variable (stored encrypted)'),
        params: S.EnvParams,
        body: S.EnvBody,
        response: { 200: S.EnvVar, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.secrets.putEnv(request.user!, request.params.id, request.params.key, request.body),
  );
  app.delete(
    '/api/projects/:id/env/:key',
    { schema: { ...doc('Remove one variable'), params: S.EnvParams, response: { ...noContent, ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await s.secrets.deleteEnv(request.user!, request.params.id, request.params.key);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/projects/:id/database',
    {
      schema: {
        ...doc("Create the project's own PostgreSQL database"),
        params: S.IdParams,
        response: { 201: S.Database, ...errorResponses(401, 403, 404, 409, 502, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await s.secrets.createDatabase(request.user!, request.params.id)),
  );
  app.get(
    '/api/projects/:id/database',
    {
      schema: { ...doc('The database; its connection URL for the team'), params: S.IdParams, response: { 200: S.Database, ...errorResponses(401, 403, 404) } },
    },
    async (request) => s.secrets.getDatabase(request.user!, request.params.id),
  );
  app.delete(
    '/api/projects/:id/database',
    {
      schema: {
        ...doc('Drop the database and its role (?confirm=<slug>)'),
        params: S.IdParams,
        querystring: S.ConfirmQuery,
        response: { ...noContent, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await s.secrets.dropDatabase(request.user!, request.params.id, request.query.confirm);
      return reply.status(204).send(null);
    },
  );
}
