import type pg from 'pg';
import type { GradeRecorded } from '../../platform/queue/definitions.ts';

/** How periods are grouped. */
export type GroupBy = 'day' | 'week' | 'month' | 'quarter' | 'year';

const FORMAT: Record<GroupBy, string> = {
  day: 'YYYY-MM-DD',
  week: 'IYYY-"W"IW',
  month: 'YYYY-MM',
  quarter: 'YYYY-"Q"Q',
  year: 'YYYY',
};

/** Which grades a query covers. */
export interface Scope {
  studentId?: string;
  courseId?: string;
  assignmentId?: string;
  /** Inclusive dates, YYYY-MM-DD, in UTC. */
  from?: string;
  to?: string;
}

function where(scope: Scope): { clause: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  if (scope.studentId !== undefined) parts.push(`student_id = $${params.push(scope.studentId)}`);
  if (scope.courseId !== undefined) parts.push(`course_id = $${params.push(scope.courseId)}`);
  if (scope.assignmentId !== undefined) parts.push(`assignment_id = $${params.push(scope.assignmentId)}`);
  if (scope.from !== undefined) parts.push(`graded_at >= $${params.push(scope.from)}::date::timestamp AT TIME ZONE 'UTC'`);
  if (scope.to !== undefined) parts.push(`graded_at < ($${params.push(scope.to)}::date + 1)::timestamp AT TIME ZONE 'UTC'`);
  return { clause: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const period = (groupBy: GroupBy) => `to_char(graded_at AT TIME ZONE 'UTC', '${FORMAT[groupBy]}')`;
const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

/** The stats schema: idempotent writes and the aggregate queries. */
export class StatsStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Upserts grades per (student, course, assignment, event id) in one statement. A replay of
   * the same event, or an older one arriving after a re-grade, changes nothing; a grade
   * identified by an event id is never rewritten (a retry must not move it to a later period).
   */
  async record(events: GradeRecorded[]): Promise<void> {
    // One row per key (the newest wins), as one statement may not update a row twice.
    const latest = new Map<string, GradeRecorded>();
    for (const e of events) {
      const key = `${e.studentId}\u0000${e.courseId}\u0000${e.assignmentId}\u0000${e.eventId ?? ''}`;
      const seen = latest.get(key);
      if (!seen || Date.parse(seen.gradedAt) <= Date.parse(e.gradedAt)) latest.set(key, e);
    }
    const rows = [...latest.values()];
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO stats.grades (student_id, course_id, assignment_id, grade, on_time, graded_at, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::boolean[], $6::timestamptz[], $7::text[])
       ON CONFLICT (student_id, course_id, assignment_id, event_id) DO UPDATE
         SET grade = EXCLUDED.grade, on_time = EXCLUDED.on_time, graded_at = EXCLUDED.graded_at
         WHERE stats.grades.graded_at <= EXCLUDED.graded_at AND stats.grades.event_id = ''`,
      [rows.map((r) => r.studentId), rows.map((r) => r.courseId), rows.map((r) => r.assignmentId), rows.map((r) => r.grade), rows.map((r) => r.onTime), rows.map((r) => r.gradedAt), rows.map((r) => r.eventId ?? '')],
    );
  }

  /** Average, count and on-time percentage (of grades whose punctuality is known) over a scope. */
  async summary(scope: Scope): Promise<{ averageGrade: number | null; gradeCount: number; onTimePercentage: number | null }> {
    const { clause, params } = where(scope);
    const row = (await this.pool.query(
      `SELECT avg(grade)::float8 AS avg, count(*)::int AS n,
              (100.0 * count(*) FILTER (WHERE on_time) / NULLIF(count(on_time), 0))::float8 AS pct
       FROM stats.grades ${clause}`,
      params,
    )).rows[0] as { avg: number | null; n: number; pct: number | null };
    return { averageGrade: round(row.avg), gradeCount: row.n, onTimePercentage: round(row.pct) };
  }

  /** Average and count per period. */
  async averages(scope: Scope, groupBy: GroupBy): Promise<Array<{ period: string; averageGrade: number; gradeCount: number }>> {
    const { clause, params } = where(scope);
    const rows = (await this.pool.query(
      `SELECT ${period(groupBy)} AS period, avg(grade)::float8 AS avg, count(*)::int AS n FROM stats.grades ${clause} GROUP BY 1 ORDER BY min(graded_at)`,
      params,
    )).rows as Array<{ period: string; avg: number; n: number }>;
    return rows.map((r) => ({ period: r.period, averageGrade: round(r.avg)!, gradeCount: r.n }));
  }

  /** On-time counts per period (or one row, period "all"). */
  async onTime(scope: Scope, groupBy: GroupBy | undefined): Promise<Array<{ period: string; onTimeCount: number; totalCount: number; percentage: number | null }>> {
    const { clause, params } = where(scope);
    const key = groupBy ? period(groupBy) : `'all'`;
    const rows = (await this.pool.query(
      `SELECT ${key} AS period, count(*) FILTER (WHERE on_time)::int AS on_time, count(on_time)::int AS total
       FROM stats.grades ${clause} GROUP BY 1 ORDER BY min(graded_at)`,
      params,
    )).rows as Array<{ period: string; on_time: number; total: number }>;
    return rows.map((r) => ({ period: r.period, onTimeCount: r.on_time, totalCount: r.total, percentage: r.total ? round((100 * r.on_time) / r.total) : null }));
  }

  /** Each student's average and count in a course. */
  async perStudent(courseId: string): Promise<Array<{ studentId: string; averageGrade: number; gradeCount: number }>> {
    const rows = (await this.pool.query(
      'SELECT student_id, avg(grade)::float8 AS avg, count(*)::int AS n FROM stats.grades WHERE course_id = $1 GROUP BY student_id ORDER BY student_id',
      [courseId],
    )).rows as Array<{ student_id: string; avg: number; n: number }>;
    return rows.map((r) => ({ studentId: r.student_id, averageGrade: round(r.avg)!, gradeCount: r.n }));
  }

  /** Every student's grade for one assignment. */
  async assignmentGrades(courseId: string, assignmentId: string): Promise<Array<{ studentId: string; grade: number; onTime: boolean | null }>> {
    return (await this.pool.query(
      'SELECT student_id AS "studentId", grade::float8 AS grade, on_time AS "onTime" FROM stats.grades WHERE course_id = $1 AND assignment_id = $2 ORDER BY student_id',
      [courseId, assignmentId],
    )).rows;
  }
}
