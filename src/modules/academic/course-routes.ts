import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from '../../platform/auth/guards.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import * as S from './schemas.ts';
import type { AcademicService } from './service.ts';

const tags = ['academic'];
const security = [{ bearer: [] }];
const noContent = { 204: { type: 'null' } } as const;

/** Course groups and their enrolments. */
export function registerCourseRoutes(scope: FastifyInstance, auth: AuthGuards, academic: AcademicService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const staff = auth.requireRole('teacher', 'admin');

  app.post(
    '/api/courses',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Create a course group (the teacher defaults to the caller; only admins may name another)',
        security,
        body: S.CreateCourseBody,
        response: { 201: S.Course, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await academic.createCourse(request.user!, request.body)),
  );

  app.get(
    '/api/courses',
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        summary: 'My courses: a teacher’s groups, a student’s enrolments, all for admins',
        security,
        querystring: S.CourseQuery,
        response: { 200: S.CoursePage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { page, pageSize, year, period, subject } = request.query;
      return { ...(await academic.courses(request.user!, { year, period, subject }, page, pageSize)), page, pageSize };
    },
  );

  app.get(
    '/api/courses/:id',
    {
      onRequest: auth.authenticate,
      schema: { tags, summary: 'One course group', security, params: S.IdParams, response: { 200: S.Course, ...errorResponses(401, 404) } },
    },
    async (request) => academic.course(request.user!, request.params.id),
  );

  app.post(
    '/api/courses/:id/enrolments',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Enrol students by user id and/or e-mail; unknown ones are reported back',
        security,
        params: S.IdParams,
        body: S.EnrolBody,
        response: { 200: S.EnrolResult, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => academic.enrol(request.user!, request.params.id, request.body),
  );

  app.get(
    '/api/courses/:id/students',
    {
      onRequest: staff,
      schema: { tags, summary: 'The group’s students', security, params: S.IdParams, response: { 200: S.StudentList, ...errorResponses(401, 403, 404) } },
    },
    async (request) => ({ data: await academic.students(request.user!, request.params.id) }),
  );

  app.delete(
    '/api/courses/:id/enrolments/:userId',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Remove a student from the group',
        security,
        params: S.EnrolmentParams,
        response: { ...noContent, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await academic.unenrol(request.user!, request.params.id, request.params.userId);
      return reply.status(204).send(null);
    },
  );
}
