import type pg from 'pg';
import { sql, type Kysely, type Transaction } from 'kysely';
import { createKysely } from '../../platform/db/pool.ts';
import { appendToOutbox } from '../../platform/outbox/outbox.ts';
import type { GradeRecorded } from '../../platform/queue/definitions.ts';

/** Academic's outbox table (platform/outbox layout). */
export const ACADEMIC_OUTBOX = 'academic.outbox';

/** A course group as the API shows it. */
export interface Course {
  id: string;
  subjectCode: string;
  subjectName: string;
  year: number;
  period: 1 | 2;
  group: string;
  teacherId: string;
}

/** An assignment of a course group. */
export interface Assignment {
  id: string;
  courseId: string;
  title: string;
  dueAt: string;
}

/** A recorded grade. */
export interface Grade {
  assignmentId: string;
  courseId: string;
  studentId: string;
  grade: number;
  submittedAt: string | null;
  onTime: boolean;
  gradedAt: string;
}

const COURSE = `c.id, c.subject_code AS "subjectCode", s.name AS "subjectName", c.year, c.period, c.group_label AS "group", c.teacher_id AS "teacherId"
  FROM academic.courses c JOIN academic.subjects s ON s.code = c.subject_code`;
const GRADE = `g.assignment_id AS "assignmentId", a.course_id AS "courseId", g.student_id AS "studentId", g.grade::float8 AS grade,
  g.submitted_at AS "submittedAt", g.on_time AS "onTime", g.graded_at AS "gradedAt"
  FROM academic.grades g JOIN academic.assignments a ON a.id = g.assignment_id`;

/** Which courses a caller may list. */
export type CourseScope = { kind: 'all' } | { kind: 'teacher'; id: string } | { kind: 'student'; id: string };

/** The SQL of the academic schema. */
export class AcademicRepository {
  /** The same pool through Kysely, for work inside a `runOnce` transaction. */
  readonly db: Kysely<unknown>;

  constructor(readonly pool: pg.Pool) {
    this.db = createKysely(pool);
  }

  async subjects(): Promise<Array<{ code: string; name: string }>> {
    return (await this.pool.query('SELECT code, name FROM academic.subjects ORDER BY code')).rows;
  }

  async course(id: string): Promise<Course | undefined> {
    return (await this.pool.query<Course>(`SELECT ${COURSE} WHERE c.id = $1`, [id])).rows[0];
  }

  async courses(scope: CourseScope, filter: { year?: number; period?: number; subject?: string }, page: number, pageSize: number): Promise<{ data: Course[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (scope.kind === 'teacher') where.push(`c.teacher_id = $${params.push(scope.id)}`);
    if (scope.kind === 'student') where.push(`c.id IN (SELECT course_id FROM academic.enrolments WHERE student_id = $${params.push(scope.id)})`);
    if (filter.year !== undefined) where.push(`c.year = $${params.push(filter.year)}`);
    if (filter.period !== undefined) where.push(`c.period = $${params.push(filter.period)}`);
    if (filter.subject !== undefined) where.push(`lower(c.subject_code) = lower($${params.push(filter.subject)})`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, count] = await Promise.all([
      this.pool.query<Course>(`SELECT ${COURSE} ${clause} ORDER BY c.year DESC, c.period DESC, c.subject_code, c.group_label LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, pageSize, (page - 1) * pageSize]),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM academic.courses c ${clause}`, params),
    ]);
    return { data: rows.rows, total: count.rows[0]!.total };
  }

  async isEnrolled(courseId: string, studentId: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM academic.enrolments WHERE course_id = $1 AND student_id = $2', [courseId, studentId])).rowCount ?? 0) > 0;
  }

  async enrol(courseId: string, studentIds: string[]): Promise<void> {
    if (studentIds.length === 0) return;
    await this.pool.query(
      'INSERT INTO academic.enrolments (course_id, student_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING',
      [courseId, studentIds],
    );
  }

  async unenrol(courseId: string, studentId: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM academic.enrolments WHERE course_id = $1 AND student_id = $2', [courseId, studentId])).rowCount ?? 0) > 0;
  }

  async studentIds(courseId: string): Promise<Array<{ studentId: string; enrolledAt: Date }>> {
    return (await this.pool.query('SELECT student_id AS "studentId", enrolled_at AS "enrolledAt" FROM academic.enrolments WHERE course_id = $1 ORDER BY enrolled_at, student_id', [courseId])).rows;
  }

  async assignment(id: string): Promise<Assignment | undefined> {
    return (await this.pool.query<Assignment>('SELECT id, course_id AS "courseId", title, due_at AS "dueAt" FROM academic.assignments WHERE id = $1', [id])).rows[0];
  }

  async assignments(courseId: string): Promise<Assignment[]> {
    return (await this.pool.query<Assignment>('SELECT id, course_id AS "courseId", title, due_at AS "dueAt" FROM academic.assignments WHERE course_id = $1 ORDER BY due_at, id', [courseId])).rows;
  }

  /** Adds an assignment; inside `tx` when given (an Idempotency-Key claim's transaction). */
  async createAssignment(courseId: string, title: string, dueAt: string, tx?: Transaction<unknown>): Promise<Assignment> {
    const insert = sql<Assignment>`INSERT INTO academic.assignments (course_id, title, due_at) VALUES (${courseId}, ${title}, ${dueAt})
      RETURNING id, course_id AS "courseId", title, due_at AS "dueAt"`;
    return (await insert.execute(tx ?? this.db)).rows[0]!;
  }

  /**
   * Records or replaces a grade and writes its `grade.recorded` event to the outbox,
   * in one transaction: the grade is saved exactly when stats will hear of it.
   */
  async putGrade(g: { assignmentId: string; studentId: string; grade: number; submittedAt: string | null; onTime: boolean }): Promise<Grade> {
    return this.transaction(async (client) => {
      await client.query(
        `INSERT INTO academic.grades (assignment_id, student_id, grade, submitted_at, on_time, graded_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (assignment_id, student_id) DO UPDATE SET grade = EXCLUDED.grade, submitted_at = EXCLUDED.submitted_at, on_time = EXCLUDED.on_time, graded_at = now()`,
        [g.assignmentId, g.studentId, g.grade, g.submittedAt, g.onTime],
      );
      const stored = (await client.query<Grade>(`SELECT ${GRADE} WHERE g.assignment_id = $1 AND g.student_id = $2`, [g.assignmentId, g.studentId])).rows[0]!;
      const recorded: GradeRecorded = {
        studentId: stored.studentId,
        courseId: stored.courseId,
        assignmentId: stored.assignmentId,
        grade: stored.grade,
        onTime: stored.onTime,
        gradedAt: new Date(stored.gradedAt).toISOString(),
      };
      await appendToOutbox(client, ACADEMIC_OUTBOX, 'stats.grade-recorded', 'grade.recorded', { grades: [recorded] });
      return stored;
    });
  }

  /** Runs `fn` in one transaction on one connection: all of it commits, or none. */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async courseGrades(courseId: string): Promise<Grade[]> {
    return (await this.pool.query<Grade>(`SELECT ${GRADE} WHERE a.course_id = $1 ORDER BY a.due_at, g.student_id`, [courseId])).rows;
  }

  async studentGrades(studentId: string): Promise<Grade[]> {
    return (await this.pool.query<Grade>(`SELECT ${GRADE} WHERE g.student_id = $1 ORDER BY g.graded_at`, [studentId])).rows;
  }
}
