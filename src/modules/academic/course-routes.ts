import type { FastifyInstance } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { emailProblem } from '../../platform/validation.ts';
import type { UserLookup } from '../identity/lookup.ts';
import { isUuid } from '../../platform/ids.ts';
import { courseFor } from './access.ts';
import type { AcademicRepository, CourseScope } from './repository.ts';

const bearer = [{ bearer: [] }];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
/** JSON schema of a course group. */
export const courseSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, subjectCode: { type: 'string' }, subjectName: { type: 'string' }, year: { type: 'integer' },
    period: { type: 'integer' }, group: { type: 'string' }, teacherId: { type: 'string' },
  },
} as const;

/** January–June is period 1, the rest period 2. */
export const periodOf = (date: Date) => (date.getUTCMonth() < 6 ? 1 : 2);

/** Course groups and their enrolments. */
export function registerCourseRoutes(app: FastifyInstance, ctx: ModuleContext, repo: AcademicRepository, users: UserLookup): void {
  const staff = ctx.auth.requireRole('teacher', 'admin');

  app.post<{ Body: { subjectCode: string; group: string; year?: number; period?: 1 | 2; teacherId?: string } }>('/api/courses', {
    onRequest: staff,
    schema: {
      tags: ['academic'],
      summary: 'Create a course group (the teacher defaults to the caller; only admins may name another)',
      security: bearer,
      body: {
        type: 'object',
        required: ['subjectCode', 'group'],
        additionalProperties: false,
        properties: {
          subjectCode: { type: 'string', maxLength: 32 },
          group: { type: 'string', minLength: 1, maxLength: 32 },
          year: { type: 'integer', minimum: 1900, maximum: 3000 },
          period: { type: 'integer', enum: [1, 2] },
          teacherId: { type: 'string' },
        },
      },
      response: { 201: courseSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const user = request.user!;
    const now = new Date();
    const teacherId = request.body.teacherId ?? user.id;
    if (teacherId !== user.id && user.role !== 'admin') throw new HttpError(403, 'forbidden', 'only admins may create groups for another teacher');
    const teacher = (await users.byIds([teacherId])).get(teacherId);
    if (!teacher || teacher.role === 'student') {
      throw new HttpError(400, 'validation_failed', 'the teacher must be a teacher or admin account', [{ field: 'teacherId', message: 'is not a teacher' }]);
    }
    const subject = (await repo.subjects()).find((s) => s.code.toLowerCase() === request.body.subjectCode.toLowerCase());
    if (!subject) throw new HttpError(404, 'not_found', 'no such subject');
    try {
      const row = await repo.pool.query<{ id: string }>(
        'INSERT INTO academic.courses (subject_code, year, period, group_label, teacher_id) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [subject.code, request.body.year ?? now.getUTCFullYear(), request.body.period ?? periodOf(now), request.body.group, teacherId],
      );
      return reply.status(201).send(await repo.course(row.rows[0]!.id));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new HttpError(409, 'conflict', 'this subject already has that group in that year and period');
      throw error;
    }
  });

  app.get<{ Querystring: { page: number; pageSize: number; year?: number; period?: number; subject?: string } }>('/api/courses', {
    onRequest: ctx.auth.authenticate,
    schema: {
      tags: ['academic'],
      summary: 'My courses: a teacher’s groups, a student’s enrolments, all for admins',
      security: bearer,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
          pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          year: { type: 'integer', minimum: 1900, maximum: 3000 },
          period: { type: 'integer', enum: [1, 2] },
          subject: { type: 'string', maxLength: 32 },
        },
      },
      response: { 200: { type: 'object', properties: { data: { type: 'array', items: courseSchema }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' } } }, ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const user = request.user!;
    const scope: CourseScope = user.role === 'admin' ? { kind: 'all' } : user.role === 'teacher' ? { kind: 'teacher', id: user.id } : { kind: 'student', id: user.id };
    const { page, pageSize, year, period, subject } = request.query;
    return { ...(await repo.courses(scope, { year, period, subject }, page, pageSize)), page, pageSize };
  });

  app.get<{ Params: { id: string } }>('/api/courses/:id', {
    onRequest: ctx.auth.authenticate,
    schema: { tags: ['academic'], summary: 'One course group', security: bearer, params: idParams, response: { 200: courseSchema, ...errorResponses(401, 404) } },
  }, async (request) => courseFor(repo, request.user!, request.params.id, 'view'));

  app.post<{ Params: { id: string }; Body: { userIds?: string[]; emails?: string[] } }>('/api/courses/:id/enrolments', {
    onRequest: staff,
    schema: {
      tags: ['academic'],
      summary: 'Enrol students by user id and/or e-mail; unknown ones are reported back',
      security: bearer,
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { userIds: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 64 } }, emails: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 256 } } },
      },
      response: {
        200: { type: 'object', properties: { enrolled: { type: 'array', items: { type: 'string' } }, unknownEmails: { type: 'array', items: { type: 'string' } }, unknownUserIds: { type: 'array', items: { type: 'string' } } } },
        ...errorResponses(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const course = await courseFor(repo, request.user!, request.params.id, 'manage');
    const emails = request.body.emails ?? [];
    const badEmails = emails.flatMap((e, i) => (emailProblem(e) ? [{ field: `emails.${i}`, message: 'must be a valid e-mail address' }] : []));
    if (badEmails.length > 0) throw new HttpError(400, 'validation_failed', 'some e-mails are invalid', badEmails);
    const [byEmail, byId] = await Promise.all([users.byEmails(emails), users.byIds(request.body.userIds ?? [])]);
    const unknownEmails = emails.filter((e) => !byEmail.has(e.trim().toLowerCase()));
    const unknownUserIds = (request.body.userIds ?? []).filter((id) => !byId.has(id));
    const enrolled = [...new Set([...byEmail.values(), ...byId.values()].map((u) => u.id))];
    await repo.enrol(course.id, enrolled);
    return { enrolled, unknownEmails, unknownUserIds };
  });

  app.get<{ Params: { id: string } }>('/api/courses/:id/students', {
    onRequest: staff,
    schema: {
      tags: ['academic'],
      summary: 'The group’s students',
      security: bearer,
      params: idParams,
      response: { 200: { type: 'object', properties: { data: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, username: { type: 'string' }, email: { type: 'string' }, enrolledAt: { type: 'string', format: 'date-time' } } } } } }, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    const course = await courseFor(repo, request.user!, request.params.id, 'manage');
    const enrolments = await repo.studentIds(course.id);
    const found = await users.byIds(enrolments.map((e) => e.studentId));
    return {
      data: enrolments.map((e) => ({ id: e.studentId, username: found.get(e.studentId)?.username ?? '', email: found.get(e.studentId)?.email ?? '', enrolledAt: e.enrolledAt.toISOString() })),
    };
  });

  app.delete<{ Params: { id: string; userId: string } }>('/api/courses/:id/enrolments/:userId', {
    onRequest: staff,
    schema: { tags: ['academic'], summary: 'Remove a student from the group', security: bearer, params: { type: 'object', properties: { id: { type: 'string' }, userId: { type: 'string' } } }, response: { 204: { type: 'null' }, ...errorResponses(401, 403, 404) } },
  }, async (request, reply) => {
    const course = await courseFor(repo, request.user!, request.params.id, 'manage');
    if (!isUuid(request.params.userId) || !(await repo.unenrol(course.id, request.params.userId))) throw new HttpError(404, 'not_found', 'this student is not in the group');
    return reply.status(204).send();
  });
}
