import type { FastifyInstance } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import { idempotencyKeyOf, requestFingerprint, runOnce, sendOutcome } from '../../platform/http/idempotency.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';
import { hasTwoDecimals, isReasonableDate } from '../../platform/validation.ts';
import { courseFor } from './access.ts';
import type { AcademicRepository, Grade } from './repository.ts';

const bearer = [{ bearer: [] }];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const assignmentSchema = { type: 'object', properties: { id: { type: 'string' }, courseId: { type: 'string' }, title: { type: 'string' }, dueAt: { type: 'string', format: 'date-time' } } } as const;
const gradeSchema = {
  type: 'object',
  properties: {
    assignmentId: { type: 'string' }, courseId: { type: 'string' }, studentId: { type: 'string' }, grade: { type: 'number' },
    submittedAt: { type: 'string', format: 'date-time', nullable: true }, onTime: { type: 'boolean' }, gradedAt: { type: 'string', format: 'date-time' },
  },
} as const;
const gradeList = { type: 'object', properties: { data: { type: 'array', items: gradeSchema } } } as const;

/** Assignments of a group, and grades: recorded by the group's teacher, each emitting `grade.recorded` through the outbox. */
export function registerGradeRoutes(app: FastifyInstance, ctx: ModuleContext, repo: AcademicRepository): void {
  const staff = ctx.auth.requireRole('teacher', 'admin');
  const scale = ctx.config.gradeScale;

  app.post<{ Params: { id: string }; Body: { title: string; dueAt: string } }>('/api/courses/:id/assignments', {
    onRequest: staff,
    schema: {
      tags: ['academic'],
      summary: 'Add an assignment to a group',
      security: bearer,
      params: idParams,
      body: { type: 'object', required: ['title', 'dueAt'], additionalProperties: false, properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, dueAt: { type: 'string', format: 'date-time' } } },
      response: { 201: assignmentSchema, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const key = idempotencyKeyOf(request);
    const course = await courseFor(repo, request.user!, request.params.id, 'manage');
    if (!isReasonableDate(request.body.dueAt)) throw new HttpError(400, 'validation_failed', 'the due date is out of range', [{ field: 'dueAt', message: 'must be between 1900 and 3000' }]);
    const { title, dueAt } = request.body;
    if (!key) return reply.status(201).send(await repo.createAssignment(course.id, title, dueAt));
    // A retried add (its answer lost) gets the assignment made the first time, not a second one.
    const claim = { caller: request.user!.id, route: 'POST /api/courses/:id/assignments', key, fingerprint: requestFingerprint(ctx.jwtSecret, { courseId: course.id, ...request.body }) };
    return sendOutcome(reply, await runOnce(repo.db, claim, async (tx) => ({ status: 201, body: await repo.createAssignment(course.id, title, dueAt, tx) })));
  });

  app.get<{ Params: { id: string } }>('/api/courses/:id/assignments', {
    onRequest: ctx.auth.authenticate,
    schema: { tags: ['academic'], summary: 'The group’s assignments', security: bearer, params: idParams, response: { 200: { type: 'object', properties: { data: { type: 'array', items: assignmentSchema } } }, ...errorResponses(401, 404) } },
  }, async (request) => {
    const course = await courseFor(repo, request.user!, request.params.id, 'view');
    return { data: await repo.assignments(course.id) };
  });

  app.put<{ Params: { id: string; studentId: string }; Body: { grade: number; submittedAt?: string; onTime?: boolean } }>('/api/assignments/:id/grades/:studentId', {
    onRequest: staff,
    schema: {
      tags: ['academic'],
      summary: `Record or replace a grade (0 to the scale, two decimals); onTime comes from submittedAt against dueAt unless given`,
      security: bearer,
      params: { type: 'object', properties: { id: { type: 'string' }, studentId: { type: 'string' } } },
      body: {
        type: 'object',
        required: ['grade'],
        additionalProperties: false,
        properties: { grade: { type: 'number', minimum: 0 }, submittedAt: { type: 'string', format: 'date-time' }, onTime: { type: 'boolean' } },
      },
      response: { 200: gradeSchema, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { grade, submittedAt, onTime } = request.body;
    if (submittedAt !== undefined && !isReasonableDate(submittedAt)) {
      throw new HttpError(400, 'validation_failed', 'the submission time is out of range', [{ field: 'submittedAt', message: 'must be between 1900 and 3000' }]);
    }
    if (grade > scale || !hasTwoDecimals(grade)) {
      throw new HttpError(400, 'validation_failed', 'the grade is out of range', [{ field: 'grade', message: `must be between 0 and ${scale} with at most two decimals` }]);
    }
    const assignment = isUuid(request.params.id) ? await repo.assignment(request.params.id) : undefined;
    if (!assignment) throw new HttpError(404, 'not_found', 'no such assignment');
    const course = await courseFor(repo, request.user!, assignment.courseId, 'manage');
    if (!isUuid(request.params.studentId) || !(await repo.isEnrolled(course.id, request.params.studentId))) {
      throw new HttpError(404, 'not_found', 'this student is not in the group');
    }
    const submitted = submittedAt ?? null;
    const derivedOnTime = onTime ?? new Date(submitted ?? Date.now()) <= new Date(assignment.dueAt);
    // The grade and its grade.recorded event commit together; the outbox relay publishes the event.
    const stored = await repo.putGrade({ assignmentId: assignment.id, studentId: request.params.studentId, grade, submittedAt: submitted, onTime: derivedOnTime });
    return stored;
  });

  app.get<{ Params: { id: string } }>('/api/courses/:id/grades', {
    onRequest: staff,
    schema: { tags: ['academic'], summary: 'Every grade of the group (its teacher, admins)', security: bearer, params: idParams, response: { 200: gradeList, ...errorResponses(401, 403, 404) } },
  }, async (request) => {
    const course = await courseFor(repo, request.user!, request.params.id, 'manage');
    return { data: await repo.courseGrades(course.id) };
  });

  app.get('/api/me/grades', {
    onRequest: ctx.auth.authenticate,
    schema: { tags: ['academic'], summary: 'The caller’s own grades', security: bearer, response: { 200: gradeList, ...errorResponses(401) } },
  }, async (request): Promise<{ data: Grade[] }> => ({ data: await repo.studentGrades(request.user!.id) }));
}
