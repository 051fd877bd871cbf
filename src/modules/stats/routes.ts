import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from '../../platform/auth/guards.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { StatsAccess } from './access.ts';
import * as S from './schemas.ts';
import type { StatsService } from './service.ts';

const tags = ['stats'];
const security = [{ bearer: [] }];
const reads = { ...errorResponses(400, 401, 403, 404) };

/** The statistics API; every figure comes from stats' own tables. */
export function registerStatsRoutes(scope: FastifyInstance, auth: AuthGuards, access: StatsAccess, stats: StatsService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const onRequest = auth.authenticate;

  app.post(
    '/api/stats/grades',
    {
      schema: {
        tags,
        summary: 'Record grades directly (external systems): one or a list; queued, 202',
        security: [...security, { serviceToken: [] }],
        headers: S.WriteHeaders,
        body: S.GradesBody,
        response: { 202: S.Queued, ...reads },
      },
    },
    async (request, reply) => {
      const who = await access.writer(request, reply);
      const queued = await stats.recordDirect(who === 'user' ? request.user! : undefined, request.body, request.headers['idempotency-key']);
      return reply.status(202).send({ queued });
    },
  );

  app.get(
    '/api/stats/students/:sid/courses/:cid',
    {
      onRequest,
      schema: {
        tags,
        summary: 'A student’s average, grade count and on-time percentage in a course',
        security,
        params: S.StudentCourseParams,
        response: { 200: S.Summary, ...reads },
      },
    },
    async (request) => stats.studentInCourse(request.user!, request.params.sid, request.params.cid),
  );

  app.get(
    '/api/stats/students/:sid/average',
    {
      onRequest,
      schema: {
        tags,
        summary: 'A student’s average per period (default groupBy month)',
        security,
        params: S.StudentParams,
        querystring: S.RangeQuery,
        response: { 200: S.Averages, ...reads },
      },
    },
    async (request) => stats.studentAverages(request.user!, request.params.sid, request.query),
  );

  app.get(
    '/api/stats/courses/:cid/average',
    {
      onRequest,
      schema: {
        tags,
        summary: 'A course’s average per period',
        security,
        params: S.CourseParams,
        querystring: S.RangeQuery,
        response: { 200: S.Averages, ...reads },
      },
    },
    async (request) => stats.courseAverages(request.user!, request.params.cid, request.query),
  );

  app.get(
    '/api/stats/students/:sid/courses/:cid/assignments/average',
    {
      onRequest,
      schema: {
        tags,
        summary: 'The student’s average over the course’s assignments, next to every other student’s (anonymous for students)',
        security,
        params: S.StudentCourseParams,
        response: { 200: S.Comparison, ...reads },
      },
    },
    async (request) => stats.comparison(request.user!, request.params.sid, request.params.cid),
  );

  app.get(
    '/api/stats/courses/:cid/assignments/:aid/averages',
    {
      onRequest,
      schema: {
        tags,
        summary: 'One assignment: the group average and each student’s grade',
        security,
        params: S.AssignmentParams,
        response: { 200: S.AssignmentAverages, ...reads },
      },
    },
    async (request) => stats.assignmentAverages(request.user!, request.params.cid, request.params.aid),
  );

  app.get(
    '/api/stats/courses/:cid/on-time',
    {
      onRequest,
      schema: {
        tags,
        summary: 'On-time submissions in a course (per period with groupBy)',
        security,
        params: S.CourseParams,
        querystring: S.GroupQuery,
        response: { 200: S.OnTime, ...reads },
      },
    },
    async (request) => stats.courseOnTime(request.user!, request.params.cid, request.query.groupBy),
  );

  app.get(
    '/api/stats/courses/:cid/students/:sid/on-time',
    {
      onRequest,
      schema: {
        tags,
        summary: 'A student’s on-time submissions in a course',
        security,
        params: S.StudentCourseParams,
        querystring: S.GroupQuery,
        response: { 200: S.OnTime, ...reads },
      },
    },
    async (request) => stats.studentOnTime(request.user!, request.params.cid, request.params.sid, request.query.groupBy),
  );
}
