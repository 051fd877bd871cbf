import type pg from 'pg';
import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import { createKysely } from '../../platform/db/pool.ts';
import { appendToOutbox } from '../../platform/outbox/outbox.ts';
import type { GradeRecorded } from './events.ts';
import type { AcademicDb, AcademicKysely } from './db.ts';

/** Academic's outbox table (platform/outbox layout). */
export const ACADEMIC_OUTBOX = 'academic.outbox';

/** A subject. */
export interface Subject {
  code: string;
  name: string;
}

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
  dueAt: Date;
}

/** A recorded grade. */
export interface Grade {
  assignmentId: string;
  courseId: string;
  studentId: string;
  grade: number;
  submittedAt: Date | null;
  onTime: boolean;
  gradedAt: Date;
}

/** Which courses a caller may list. */
export type CourseScope = { kind: 'all' } | { kind: 'teacher'; id: string } | { kind: 'student'; id: string };

/** Filters of a course list. */
export interface CourseFilter {
  year?: number | undefined;
  period?: number | undefined;
  subject?: string | undefined;
}

const ASSIGNMENT = ['id', 'course_id as courseId', 'title', 'due_at as dueAt'] as const;

/** Kysely queries on the academic schema, and nothing else. */
export class AcademicRepository {
  readonly db: AcademicKysely;

  constructor(pool: pg.Pool) {
    this.db = createKysely<AcademicDb>(pool);
  }

  async subjects(): Promise<Subject[]> {
    return this.db.selectFrom('academic.subjects').select(['code', 'name']).orderBy('code').execute();
  }

  /** Creates every subject or none; returns the codes (any case) that already exist instead, when some do. */
  async createSubjects(list: Subject[]): Promise<string[]> {
    return this.db.transaction().execute(async (tx) => {
      const lowered = list.map((s) => s.code.toLowerCase());
      const taken = await tx
        .selectFrom('academic.subjects')
        .select('code')
        .where((eb) => eb(eb.fn('lower', ['code']), 'in', lowered))
        .forUpdate()
        .execute();
      if (taken.length > 0) return taken.map((r) => r.code);
      await tx.insertInto('academic.subjects').values(list).execute();
      return [];
    });
  }

  async renameSubject(code: string, name: string): Promise<Subject | undefined> {
    return this.db
      .updateTable('academic.subjects')
      .set({ name })
      .where((eb) => eb(eb.fn('lower', ['code']), '=', code.toLowerCase()))
      .returning(['code', 'name'])
      .executeTakeFirst();
  }

  async deleteSubject(code: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('academic.subjects')
      .where((eb) => eb(eb.fn('lower', ['code']), '=', code.toLowerCase()))
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  private courses$() {
    return this.db.selectFrom('academic.courses as c').innerJoin('academic.subjects as s', 's.code', 'c.subject_code');
  }

  private static courseColumns = [
    'c.id',
    'c.subject_code as subjectCode',
    's.name as subjectName',
    'c.year',
    'c.period',
    'c.group_label as group',
    'c.teacher_id as teacherId',
  ] as const;

  async course(id: string): Promise<Course | undefined> {
    return this.courses$().select(AcademicRepository.courseColumns).where('c.id', '=', id).executeTakeFirst();
  }

  /** Inserts a course group; its id. A taken (subject, year, period, group) throws PostgreSQL's 23505. */
  async createCourse(course: { subjectCode: string; year: number; period: 1 | 2; group: string; teacherId: string }): Promise<string> {
    const row = await this.db
      .insertInto('academic.courses')
      .values({ subject_code: course.subjectCode, year: course.year, period: course.period, group_label: course.group, teacher_id: course.teacherId })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async courses(scope: CourseScope, filter: CourseFilter, page: number, pageSize: number): Promise<{ data: Course[]; total: number }> {
    const where = (eb: ExpressionBuilder<AcademicDb & { c: AcademicDb['academic.courses'] }, 'c'>) => {
      const conditions = [];
      if (scope.kind === 'teacher') conditions.push(eb('c.teacher_id', '=', scope.id));
      if (scope.kind === 'student')
        conditions.push(eb('c.id', 'in', eb.selectFrom('academic.enrolments').select('course_id').where('student_id', '=', scope.id)));
      if (filter.year !== undefined) conditions.push(eb('c.year', '=', filter.year));
      if (filter.period !== undefined) conditions.push(eb('c.period', '=', filter.period as 1 | 2));
      if (filter.subject !== undefined) conditions.push(eb(eb.fn('lower', ['c.subject_code']), '=', filter.subject.toLowerCase()));
      return eb.and(conditions);
    };
    const [data, count] = await Promise.all([
      this.courses$()
        .select(AcademicRepository.courseColumns)
        .where(where)
        .orderBy('c.year', 'desc')
        .orderBy('c.period', 'desc')
        .orderBy('c.subject_code')
        .orderBy('c.group_label')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      this.db
        .selectFrom('academic.courses as c')
        .select((eb) => eb.fn.countAll<string>().as('total'))
        .where(where)
        .executeTakeFirstOrThrow(),
    ]);
    return { data, total: Number(count.total) };
  }

  async teaches(teacherId: string, courseId: string): Promise<boolean> {
    return (
      (await this.db.selectFrom('academic.courses').select('id').where('id', '=', courseId).where('teacher_id', '=', teacherId).executeTakeFirst()) !==
      undefined
    );
  }

  async teacherOf(courseId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('academic.courses').select('teacher_id').where('id', '=', courseId).executeTakeFirst())?.teacher_id;
  }

  async coursesTaughtBy(teacherId: string): Promise<string[]> {
    return (await this.db.selectFrom('academic.courses').select('id').where('teacher_id', '=', teacherId).execute()).map((r) => r.id);
  }

  async isEnrolled(courseId: string, studentId: string): Promise<boolean> {
    return (await this.enrolledAmong(courseId, [studentId])).size > 0;
  }

  /** Those of `studentIds` (valid uuids) enrolled in the course group. */
  async enrolledAmong(courseId: string, studentIds: string[]): Promise<Set<string>> {
    if (studentIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('academic.enrolments')
      .select('student_id')
      .where('course_id', '=', courseId)
      .where('student_id', 'in', studentIds)
      .execute();
    return new Set(rows.map((r) => r.student_id));
  }

  async coursesEnrolledIn(studentId: string): Promise<string[]> {
    return (await this.db.selectFrom('academic.enrolments').select('course_id').where('student_id', '=', studentId).execute()).map((r) => r.course_id);
  }

  async enrol(courseId: string, studentIds: string[]): Promise<void> {
    if (studentIds.length === 0) return;
    await this.db
      .insertInto('academic.enrolments')
      .values(studentIds.map((id) => ({ course_id: courseId, student_id: id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async unenrol(courseId: string, studentId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('academic.enrolments').where('course_id', '=', courseId).where('student_id', '=', studentId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async studentIds(courseId: string): Promise<Array<{ studentId: string; enrolledAt: Date }>> {
    return this.db
      .selectFrom('academic.enrolments')
      .select(['student_id as studentId', 'enrolled_at as enrolledAt'])
      .where('course_id', '=', courseId)
      .orderBy('enrolled_at')
      .orderBy('student_id')
      .execute();
  }

  async assignment(id: string): Promise<Assignment | undefined> {
    return this.db.selectFrom('academic.assignments').select(ASSIGNMENT).where('id', '=', id).executeTakeFirst();
  }

  async assignments(courseId: string): Promise<Assignment[]> {
    return this.db.selectFrom('academic.assignments').select(ASSIGNMENT).where('course_id', '=', courseId).orderBy('due_at').orderBy('id').execute();
  }

  /** Adds an assignment; inside `tx` when given (an Idempotency-Key claim's transaction). */
  async createAssignment(courseId: string, title: string, dueAt: string, tx?: Transaction<AcademicDb>): Promise<Assignment> {
    return (tx ?? this.db)
      .insertInto('academic.assignments')
      .values({ course_id: courseId, title, due_at: dueAt })
      .returning(ASSIGNMENT)
      .executeTakeFirstOrThrow();
  }

  private grades$(db: AcademicKysely) {
    return db
      .selectFrom('academic.grades as g')
      .innerJoin('academic.assignments as a', 'a.id', 'g.assignment_id')
      .select([
        'g.assignment_id as assignmentId',
        'a.course_id as courseId',
        'g.student_id as studentId',
        sql<number>`g.grade::float8`.as('grade'),
        'g.submitted_at as submittedAt',
        'g.on_time as onTime',
        'g.graded_at as gradedAt',
      ]);
  }

  /**
   * Records or replaces a grade and writes its `grade.recorded` event to the outbox,
   * in one transaction: the grade is saved exactly when stats will hear of it.
   */
  async putGrade(g: { assignmentId: string; studentId: string; grade: number; submittedAt: string | null; onTime: boolean }): Promise<Grade> {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('academic.grades')
        .values({
          assignment_id: g.assignmentId,
          student_id: g.studentId,
          grade: g.grade,
          submitted_at: g.submittedAt,
          on_time: g.onTime,
          graded_at: sql<Date>`now()`,
        })
        .onConflict((oc) =>
          oc.columns(['assignment_id', 'student_id']).doUpdateSet((eb) => ({
            grade: eb.ref('excluded.grade'),
            submitted_at: eb.ref('excluded.submitted_at'),
            on_time: eb.ref('excluded.on_time'),
            graded_at: sql<Date>`now()`,
          })),
        )
        .execute();
      const stored = await this.grades$(tx).where('g.assignment_id', '=', g.assignmentId).where('g.student_id', '=', g.studentId).executeTakeFirstOrThrow();
      const recorded: GradeRecorded = {
        studentId: stored.studentId,
        courseId: stored.courseId,
        assignmentId: stored.assignmentId,
        grade: stored.grade,
        onTime: stored.onTime,
        gradedAt: stored.gradedAt.toISOString(),
      };
      await appendToOutbox(tx, ACADEMIC_OUTBOX, 'stats.grade-recorded', 'grade.recorded', { grades: [recorded] });
      return stored;
    });
  }

  async courseGrades(courseId: string): Promise<Grade[]> {
    return this.grades$(this.db).where('a.course_id', '=', courseId).orderBy('a.due_at').orderBy('g.student_id').execute();
  }

  async studentGrades(studentId: string): Promise<Grade[]> {
    return this.grades$(this.db).where('g.student_id', '=', studentId).orderBy('g.graded_at').execute();
  }
}
