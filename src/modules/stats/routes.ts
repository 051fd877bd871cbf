import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { GradeRecorded } from '../../platform/queue/definitions.ts';
import { hasTwoDecimals, isReasonableDate } from '../../platform/validation.ts';
import { appendToOutbox } from '../../platform/outbox/outbox.ts';
import type { StatsAccess } from './access.ts';
import type { GroupBy, StatsStore } from './store.ts';

const ID = '^[A-Za-z0-9-]{1,50}$';
const id = { type: 'string', pattern: ID } as const;
const bearer = [{ bearer: [] }];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const GROUPS = ['day', 'week', 'month', 'quarter', 'year'] as const;
const rangeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' }, groupBy: { type: 'string', enum: GROUPS } },
} as const;
const averagesSchema = {
  type: 'object',
  properties: {
    averages: { type: 'array', items: { type: 'object', properties: { period: { type: 'string' }, averageGrade: { type: 'number' }, gradeCount: { type: 'integer' } } } },
    timeRange: { type: 'object', properties: { from: { type: 'string', nullable: true }, to: { type: 'string', nullable: true } } },
    groupBy: { type: 'string' },
  },
} as const;
const onTimeSchema = {
  type: 'array',
  items: { type: 'object', properties: { period: { type: 'string' }, onTimeCount: { type: 'integer' }, totalCount: { type: 'integer' }, percentage: { type: 'number', nullable: true } } },
} as const;
const gradeInput = {
  type: 'object',
  required: ['studentId', 'courseId', 'grade'],
  additionalProperties: false,
  properties: {
    studentId: id,
    courseId: id,
    assignmentId: id,
    eventId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$', description: 'identifies a grade without an assignment: a replay with the same eventId changes nothing' },
    grade: { type: 'number', minimum: 0 },
    onTime: { type: 'boolean' },
  },
} as const;
type GradeInput = Omit<GradeRecorded, 'gradedAt' | 'assignmentId' | 'onTime'> & { assignmentId?: string; onTime?: boolean };
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The identity of each direct grade that has no assignment: its eventId, else the
 * Idempotency-Key (suffixed with the list index), else a new UUID — so distinct
 * grades never replace each other and a retried request with the same key or ids
 * changes nothing. A grade with an assignment is identified by the assignment.
 */
function eventIdsFor(list: GradeInput[], idempotencyKey: string | undefined, listed: boolean): string[] {
  return list.map((g, i) => (g.assignmentId ? '' : (g.eventId ?? (idempotencyKey ? (listed ? `${idempotencyKey}:${i}` : idempotencyKey) : randomUUID()))));
}

/** Stats' outbox table (platform/outbox layout): accepted direct writes waiting for the queue. */
export const STATS_OUTBOX = 'stats.outbox';

type RangeQuery = { from?: string; to?: string; groupBy?: GroupBy };

function checkedRange(query: RangeQuery): { from?: string; to?: string } {
  const { from, to } = query;
  for (const [field, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && (!DATE.test(value) || !isReasonableDate(value))) {
      throw new HttpError(400, 'validation_failed', 'dates are YYYY-MM-DD between 1900 and 3000', [{ field, message: 'is not a valid date' }]);
    }
  }
  if (from && to && from > to) throw new HttpError(400, 'validation_failed', '`from` is after `to`', [{ field: 'from', message: 'must not be after to' }]);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** The statistics API; every figure comes from stats' own tables. */
export function registerStatsRoutes(app: FastifyInstance, ctx: ModuleContext, store: StatsStore, access: StatsAccess): void {
  const scale = ctx.config.gradeScale;
  const signedIn = ctx.auth.authenticate;

  app.post<{ Body: GradeInput | GradeInput[]; Headers: { 'idempotency-key'?: string } }>('/api/stats/grades', {
    schema: {
      tags: ['stats'],
      summary: 'Record grades directly (external systems): one or a list; queued, 202',
      security: [...bearer, { serviceToken: [] }],
      headers: {
        type: 'object',
        properties: {
          'x-service-token': { type: 'string' },
          'idempotency-key': { type: 'string', pattern: IDEMPOTENCY_KEY.source, description: 'identifies grades without eventId (list items get `key:index`)' },
        },
      },
      body: { oneOf: [gradeInput, { type: 'array', minItems: 1, maxItems: 1000, items: gradeInput }] },
      response: { 202: { type: 'object', properties: { queued: { type: 'integer' } } }, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const who = await access.writer(request, reply);
    const list = Array.isArray(request.body) ? request.body : [request.body];
    const bad = list.flatMap((g, i) => (g.grade > scale || !hasTwoDecimals(g.grade) ? [{ field: `${Array.isArray(request.body) ? `${i}.` : ''}grade`, message: `must be between 0 and ${scale} with at most two decimals` }] : []));
    if (bad.length > 0) throw new HttpError(400, 'validation_failed', 'some grades are out of range', bad);
    if (who === 'user') await access.checkWrite(request, list, Array.isArray(request.body));
    const gradedAt = new Date().toISOString();
    const eventIds = eventIdsFor(list, request.headers['idempotency-key'], Array.isArray(request.body));
    // One job for the whole list (the worker applies it in one statement), through the outbox:
    // the 202 means the grades are stored for delivery, even while the queue is down.
    await appendToOutbox(ctx.pool, STATS_OUTBOX, 'stats.grade-recorded', 'grade.recorded', {
      grades: list.map((g, i) => ({ studentId: g.studentId, courseId: g.courseId, assignmentId: g.assignmentId ?? '', eventId: eventIds[i]!, grade: g.grade, onTime: g.onTime ?? null, gradedAt })),
    });
    return reply.status(202).send({ queued: list.length });
  });

  app.get<{ Params: { sid: string; cid: string } }>('/api/stats/students/:sid/courses/:cid', {
    onRequest: signedIn,
    schema: {
      tags: ['stats'], summary: 'A student’s average, grade count and on-time percentage in a course', security: bearer,
      params: { type: 'object', properties: { sid: id, cid: id } },
      response: { 200: { type: 'object', properties: { averageGrade: { type: 'number' }, gradeCount: { type: 'integer' }, onTimePercentage: { type: 'number', nullable: true } } }, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { sid, cid } = request.params;
    await access.student(request, sid, cid);
    const summary = await store.summary({ studentId: sid, courseId: cid });
    if (summary.gradeCount === 0) throw new HttpError(404, 'not_found', 'no grades for this student in this course');
    return summary;
  });

  const averages = async (scope: { studentId?: string; courseId?: string }, query: RangeQuery) => {
    const range = checkedRange(query);
    const groupBy = query.groupBy ?? 'month';
    return { averages: await store.averages({ ...scope, ...range }, groupBy), timeRange: { from: range.from ?? null, to: range.to ?? null }, groupBy };
  };

  app.get<{ Params: { sid: string }; Querystring: RangeQuery }>('/api/stats/students/:sid/average', {
    onRequest: signedIn,
    schema: { tags: ['stats'], summary: 'A student’s average per period (default groupBy month)', security: bearer, params: { type: 'object', properties: { sid: id } }, querystring: rangeQuery, response: { 200: averagesSchema, ...errorResponses(400, 401, 403, 404) } },
  }, async (request) => {
    await access.student(request, request.params.sid);
    return averages({ studentId: request.params.sid }, request.query);
  });

  app.get<{ Params: { cid: string }; Querystring: RangeQuery }>('/api/stats/courses/:cid/average', {
    onRequest: signedIn,
    schema: { tags: ['stats'], summary: 'A course’s average per period', security: bearer, params: { type: 'object', properties: { cid: id } }, querystring: rangeQuery, response: { 200: averagesSchema, ...errorResponses(400, 401, 403, 404) } },
  }, async (request) => {
    await access.course(request, request.params.cid);
    return averages({ courseId: request.params.cid }, request.query);
  });

  app.get<{ Params: { sid: string; cid: string } }>('/api/stats/students/:sid/courses/:cid/assignments/average', {
    onRequest: signedIn,
    schema: {
      tags: ['stats'], summary: 'The student’s average over the course’s assignments, next to every other student’s (anonymous for students)', security: bearer,
      params: { type: 'object', properties: { sid: id, cid: id } },
      response: {
        200: {
          type: 'object',
          properties: {
            student: { type: 'object', properties: { studentId: { type: 'string' }, averageGrade: { type: 'number' }, gradeCount: { type: 'integer' } } },
            others: { type: 'array', items: { type: 'object', properties: { studentId: { type: 'string' }, averageGrade: { type: 'number' }, gradeCount: { type: 'integer' } } } },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const { sid, cid } = request.params;
    await access.student(request, sid, cid);
    const rows = await store.perStudent(cid);
    const mine = rows.find((r) => r.studentId === sid);
    if (!mine) throw new HttpError(404, 'not_found', 'no grades for this student in this course');
    const anonymous = request.user!.role === 'student';
    return { student: mine, others: rows.filter((r) => r.studentId !== sid).map((r) => (anonymous ? { averageGrade: r.averageGrade, gradeCount: r.gradeCount } : r)) };
  });

  app.get<{ Params: { cid: string; aid: string } }>('/api/stats/courses/:cid/assignments/:aid/averages', {
    onRequest: signedIn,
    schema: {
      tags: ['stats'], summary: 'One assignment: the group average and each student’s grade', security: bearer,
      params: { type: 'object', properties: { cid: id, aid: id } },
      response: { 200: { type: 'object', properties: { assignmentId: { type: 'string' }, averageGrade: { type: 'number', nullable: true }, gradeCount: { type: 'integer' }, students: { type: 'array', items: { type: 'object', properties: { studentId: { type: 'string' }, grade: { type: 'number' }, onTime: { type: 'boolean', nullable: true } } } } } }, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { cid, aid } = request.params;
    await access.course(request, cid);
    const summary = await store.summary({ courseId: cid, assignmentId: aid });
    return { assignmentId: aid, averageGrade: summary.averageGrade, gradeCount: summary.gradeCount, students: await store.assignmentGrades(cid, aid) };
  });

  const groupQuery = { type: 'object', additionalProperties: false, properties: { groupBy: { type: 'string', enum: GROUPS } } } as const;
  app.get<{ Params: { cid: string }; Querystring: { groupBy?: GroupBy } }>('/api/stats/courses/:cid/on-time', {
    onRequest: signedIn,
    schema: { tags: ['stats'], summary: 'On-time submissions in a course (per period with groupBy)', security: bearer, params: { type: 'object', properties: { cid: id } }, querystring: groupQuery, response: { 200: onTimeSchema, ...errorResponses(400, 401, 403, 404) } },
  }, async (request) => {
    await access.course(request, request.params.cid);
    return store.onTime({ courseId: request.params.cid }, request.query.groupBy);
  });

  app.get<{ Params: { cid: string; sid: string }; Querystring: { groupBy?: GroupBy } }>('/api/stats/courses/:cid/students/:sid/on-time', {
    onRequest: signedIn,
    schema: { tags: ['stats'], summary: 'A student’s on-time submissions in a course', security: bearer, params: { type: 'object', properties: { cid: id, sid: id } }, querystring: groupQuery, response: { 200: onTimeSchema, ...errorResponses(400, 401, 403, 404) } },
  }, async (request) => {
    await access.student(request, request.params.sid, request.params.cid);
    return store.onTime({ courseId: request.params.cid, studentId: request.params.sid }, request.query.groupBy);
  });
}
