import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Static } from 'typebox';
import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { appendToOutbox } from '../../platform/outbox/outbox.ts';
import { hasTwoDecimals, isReasonableDate } from '../../platform/validation.ts';
import type { StatsAccess } from './access.ts';
import type { GroupBy, StatsRepository } from './repository.ts';
import type * as S from './schemas.ts';

/** Stats' outbox table (platform/outbox layout): accepted direct writes waiting for the queue. */
export const STATS_OUTBOX = 'stats.outbox';

type GradeInput = Static<typeof S.GradeInput>;
type Range = Static<typeof S.RangeQuery>;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The identity of each direct grade that has no assignment: its eventId, else the
 * Idempotency-Key (suffixed with the list index), else a new UUID — so distinct
 * grades never replace each other and a retried request with the same key or ids
 * changes nothing. A grade with an assignment is identified by the assignment.
 */
function eventIdsFor(list: GradeInput[], idempotencyKey: string | undefined, listed: boolean): string[] {
  return list.map((g, i) => (g.assignmentId ? '' : (g.eventId ?? (idempotencyKey ? (listed ? `${idempotencyKey}:${i}` : idempotencyKey) : randomUUID()))));
}

function checkedRange(query: Range): { from?: string; to?: string } {
  const { from, to } = query;
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && (!DATE.test(value) || !isReasonableDate(value))) {
      throw new HttpError(400, 'validation_failed', 'dates are YYYY-MM-DD between 1900 and 3000', [{ field, message: 'is not a valid date' }]);
    }
  }
  if (from && to && from > to) throw new HttpError(400, 'validation_failed', '`from` is after `to`', [{ field: 'from', message: 'must not be after to' }]);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** Stats' rules: who sees which figures, and direct grade writes through the outbox. */
export class StatsService {
  constructor(
    private readonly repo: StatsRepository,
    private readonly access: StatsAccess,
    private readonly pool: pg.Pool,
    private readonly gradeScale: number,
  ) {}

  /**
   * Accepts direct grades (`user` undefined: a caller with the service token) and stores
   * them in the outbox for delivery; returns how many were queued. Nothing is kept when
   * any grade is refused.
   */
  async recordDirect(user: AuthUser | undefined, body: GradeInput | GradeInput[], idempotencyKey: string | undefined): Promise<number> {
    const listed = Array.isArray(body);
    const list = listed ? body : [body];
    const bad = list.flatMap((g, i) =>
      g.grade > this.gradeScale || !hasTwoDecimals(g.grade)
        ? [{ field: `${listed ? `${i}.` : ''}grade`, message: `must be between 0 and ${this.gradeScale} with at most two decimals` }]
        : [],
    );
    if (bad.length > 0) throw new HttpError(400, 'validation_failed', 'some grades are out of range', bad);
    if (user) await this.access.checkWrite(user, list, listed);
    const gradedAt = new Date().toISOString();
    const eventIds = eventIdsFor(list, idempotencyKey, listed);
    // One job for the whole list (the worker applies it in one statement), through the outbox:
    // accepted means stored for delivery, even while the queue is down.
    await appendToOutbox(this.pool, STATS_OUTBOX, 'stats.grade-recorded', 'grade.recorded', {
      grades: list.map((g, i) => ({
        studentId: g.studentId,
        courseId: g.courseId,
        assignmentId: g.assignmentId ?? '',
        eventId: eventIds[i]!,
        grade: g.grade,
        onTime: g.onTime ?? null,
        gradedAt,
      })),
    });
    return list.length;
  }

  /** A student's figures in one course; 404 without grades. */
  async studentInCourse(user: AuthUser, studentId: string, courseId: string) {
    await this.access.student(user, studentId, courseId);
    const summary = await this.repo.summary({ studentId, courseId });
    if (summary.gradeCount === 0 || summary.averageGrade === null) throw new HttpError(404, 'not_found', 'no grades for this student in this course');
    return { ...summary, averageGrade: summary.averageGrade };
  }

  /** A student's averages per period, over all their courses. */
  async studentAverages(user: AuthUser, studentId: string, query: Range) {
    await this.access.student(user, studentId);
    return this.averages({ studentId }, query);
  }

  /** A course's averages per period. */
  async courseAverages(user: AuthUser, courseId: string, query: Range) {
    await this.access.course(user, courseId);
    return this.averages({ courseId }, query);
  }

  /** The student's average over the course's assignments next to every other student's (anonymous for students). */
  async comparison(user: AuthUser, studentId: string, courseId: string) {
    await this.access.student(user, studentId, courseId);
    const rows = await this.repo.perStudent(courseId);
    const mine = rows.find((r) => r.studentId === studentId);
    if (!mine) throw new HttpError(404, 'not_found', 'no grades for this student in this course');
    const anonymous = user.role === 'student';
    return {
      student: mine,
      others: rows.filter((r) => r.studentId !== studentId).map((r) => (anonymous ? { averageGrade: r.averageGrade, gradeCount: r.gradeCount } : r)),
    };
  }

  /** One assignment: the group average and each student's grade. */
  async assignmentAverages(user: AuthUser, courseId: string, assignmentId: string) {
    await this.access.course(user, courseId);
    const summary = await this.repo.summary({ courseId, assignmentId });
    return {
      assignmentId,
      averageGrade: summary.averageGrade,
      gradeCount: summary.gradeCount,
      students: await this.repo.assignmentGrades(courseId, assignmentId),
    };
  }

  /** On-time submissions in a course. */
  async courseOnTime(user: AuthUser, courseId: string, groupBy: GroupBy | undefined) {
    await this.access.course(user, courseId);
    return this.repo.onTime({ courseId }, groupBy);
  }

  /** A student's on-time submissions in a course. */
  async studentOnTime(user: AuthUser, courseId: string, studentId: string, groupBy: GroupBy | undefined) {
    await this.access.student(user, studentId, courseId);
    return this.repo.onTime({ courseId, studentId }, groupBy);
  }

  private async averages(scope: { studentId?: string; courseId?: string }, query: Range) {
    const range = checkedRange(query);
    const groupBy = query.groupBy ?? 'month';
    return { averages: await this.repo.averages({ ...scope, ...range }, groupBy), timeRange: { from: range.from ?? null, to: range.to ?? null }, groupBy };
  }
}
