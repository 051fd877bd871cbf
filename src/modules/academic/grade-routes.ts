import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from '../../platform/auth/guards.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { idempotencyKeyOf, requestFingerprint, sendOutcome } from '../../platform/http/idempotency.ts';
import * as S from './schemas.ts';
import type { AcademicService } from './service.ts';
import { assignmentView, gradeView } from './views.ts';

const tags = ['academic'];
const security = [{ bearer: [] }];

/** Assignments of a group, and grades: recorded by the group's teacher, each emitting `grade.recorded` through the outbox. */
export function registerGradeRoutes(scope: FastifyInstance, auth: AuthGuards, academic: AcademicService, fingerprintSecret: Uint8Array): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const staff = auth.requireRole('teacher', 'admin');

  app.post(
    '/api/courses/:id/assignments',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Add an assignment to a group (a retry with the same Idempotency-Key gets the same one)',
        security,
        params: S.IdParams,
        body: S.AssignmentBody,
        response: { 201: S.Assignment, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request);
      const claim = key && {
        route: 'POST /api/courses/:id/assignments',
        key,
        fingerprint: requestFingerprint(fingerprintSecret, { courseId: request.params.id, ...request.body }),
      };
      return sendOutcome(reply, await academic.addAssignment(request.user!, request.params.id, request.body, claim || undefined));
    },
  );

  app.get(
    '/api/courses/:id/assignments',
    {
      onRequest: auth.authenticate,
      schema: { tags, summary: 'The group’s assignments', security, params: S.IdParams, response: { 200: S.AssignmentList, ...errorResponses(401, 404) } },
    },
    async (request) => ({ data: (await academic.assignments(request.user!, request.params.id)).map(assignmentView) }),
  );

  app.put(
    '/api/assignments/:id/grades/:studentId',
    {
      onRequest: staff,
      schema: {
        tags,
        security,
        params: S.GradeParams,
        body: S.GradeBody,
        response: { 200: S.Grade, ...errorResponses(400, 401, 403, 404) },
        summary: 'Record or replace a grade (0 to the scale, two decimals); onTime comes from submittedAt against dueAt unless given',
      },
    },
    async (request) => gradeView(await academic.putGrade(request.user!, request.params.id, request.params.studentId, request.body)),
  );

  app.get(
    '/api/courses/:id/grades',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Every grade of the group (its teacher, admins)',
        security,
        params: S.IdParams,
        response: { 200: S.GradeList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => ({ data: (await academic.courseGrades(request.user!, request.params.id)).map(gradeView) }),
  );

  app.get(
    '/api/me/grades',
    {
      onRequest: auth.authenticate,
      schema: { tags, summary: 'The caller’s own grades', security, response: { 200: S.GradeList, ...errorResponses(401) } },
    },
    async (request) => ({ data: (await academic.myGrades(request.user!)).map(gradeView) }),
  );
}
