import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { runOnce, type IdempotencyClaim, type IdempotentOutcome } from '../../platform/http/idempotency.ts';
import { isUuid } from '../../platform/ids.ts';
import { emailProblem, hasTwoDecimals, isReasonableDate } from '../../platform/validation.ts';
import type { UserLookup } from '../identity/lookup.ts';
import { courseFor } from './access.ts';
import { assignmentView, type AssignmentView } from './views.ts';
import type { AcademicRepository, Assignment, Course, CourseFilter, CourseScope, Grade, Subject } from './repository.ts';

/** January–June is period 1, the rest period 2. */
export const periodOf = (date: Date) => (date.getUTCMonth() < 6 ? 1 : 2);

const pgCode = (error: unknown) => (error as { code?: string }).code ?? '';

/** Academic's rules: subjects, course groups, enrolments, assignments and grades; testable without HTTP. */
export class AcademicService {
  constructor(
    private readonly repo: AcademicRepository,
    private readonly users: UserLookup,
    private readonly gradeScale: number,
  ) {}

  subjects(): Promise<Subject[]> {
    return this.repo.subjects();
  }

  /** Creates one subject or a list, all or none: a code repeated in the list is a 400, one that exists a 409. */
  async createSubjects(list: Subject[]): Promise<Subject[]> {
    const codes = list.map((s) => s.code.toLowerCase());
    const repeated = codes.filter((c, i) => codes.indexOf(c) !== i);
    if (repeated.length > 0)
      throw new HttpError(
        400,
        'validation_failed',
        'a code appears twice',
        repeated.map((c) => ({ field: 'code', message: `${c} is repeated` })),
      );
    let taken: string[];
    try {
      taken = await this.repo.createSubjects(list);
    } catch (error) {
      if (pgCode(error) === '23505') throw new HttpError(409, 'conflict', 'a subject code already exists');
      throw error;
    }
    if (taken.length > 0)
      throw new HttpError(
        409,
        'conflict',
        'some subject codes already exist',
        taken.map((code) => ({ field: 'code', message: `${code} already exists` })),
      );
    return list;
  }

  async renameSubject(code: string, name: string): Promise<Subject> {
    const renamed = await this.repo.renameSubject(code, name);
    if (!renamed) throw new HttpError(404, 'not_found', 'no such subject');
    return renamed;
  }

  async deleteSubject(code: string): Promise<void> {
    let deleted: boolean;
    try {
      deleted = await this.repo.deleteSubject(code);
    } catch (error) {
      if (['23503', '23001'].includes(pgCode(error))) throw new HttpError(409, 'subject_in_use', 'course groups still use this subject');
      throw error;
    }
    if (!deleted) throw new HttpError(404, 'not_found', 'no such subject');
  }

  /** A course group for `teacherId` (the caller unless an admin names another), in the current year and period unless given. */
  async createCourse(
    user: AuthUser,
    input: { subjectCode: string; group: string; year?: number | undefined; period?: 1 | 2 | undefined; teacherId?: string | undefined },
  ): Promise<Course> {
    const now = new Date();
    const teacherId = input.teacherId ?? user.id;
    if (teacherId !== user.id && user.role !== 'admin') throw new HttpError(403, 'forbidden', 'only admins may create groups for another teacher');
    const teacher = (await this.users.byIds([teacherId])).get(teacherId);
    if (!teacher || teacher.role === 'student') {
      throw new HttpError(400, 'validation_failed', 'the teacher must be a teacher or admin account', [{ field: 'teacherId', message: 'is not a teacher' }]);
    }
    const subject = (await this.repo.subjects()).find((s) => s.code.toLowerCase() === input.subjectCode.toLowerCase());
    if (!subject) throw new HttpError(404, 'not_found', 'no such subject');
    try {
      const id = await this.repo.createCourse({
        subjectCode: subject.code,
        year: input.year ?? now.getUTCFullYear(),
        period: input.period ?? periodOf(now),
        group: input.group,
        teacherId,
      });
      return (await this.repo.course(id))!;
    } catch (error) {
      if (pgCode(error) === '23505') throw new HttpError(409, 'conflict', 'this subject already has that group in that year and period');
      throw error;
    }
  }

  /** The caller's courses: all for admins, a teacher's groups, a student's enrolments. */
  async courses(user: AuthUser, filter: CourseFilter, page: number, pageSize: number): Promise<{ data: Course[]; total: number }> {
    const scope: CourseScope =
      user.role === 'admin' ? { kind: 'all' } : user.role === 'teacher' ? { kind: 'teacher', id: user.id } : { kind: 'student', id: user.id };
    return this.repo.courses(scope, filter, page, pageSize);
  }

  course(user: AuthUser, id: string): Promise<Course> {
    return courseFor(this.repo, user, id, 'view');
  }

  /** Enrols students by id and/or e-mail; reports the unknown ones. */
  async enrol(user: AuthUser, courseId: string, input: { userIds?: string[] | undefined; emails?: string[] | undefined }) {
    const course = await courseFor(this.repo, user, courseId, 'manage');
    const emails = input.emails ?? [];
    const badEmails = emails.flatMap((e, i) => (emailProblem(e) ? [{ field: `emails.${i}`, message: 'must be a valid e-mail address' }] : []));
    if (badEmails.length > 0) throw new HttpError(400, 'validation_failed', 'some e-mails are invalid', badEmails);
    const [byEmail, byId] = await Promise.all([this.users.byEmails(emails), this.users.byIds(input.userIds ?? [])]);
    const unknownEmails = emails.filter((e) => !byEmail.has(e.trim().toLowerCase()));
    const unknownUserIds = (input.userIds ?? []).filter((id) => !byId.has(id));
    const enrolled = [...new Set([...byEmail.values(), ...byId.values()].map((u) => u.id))];
    await this.repo.enrol(course.id, enrolled);
    return { enrolled, unknownEmails, unknownUserIds };
  }

  async students(user: AuthUser, courseId: string) {
    const course = await courseFor(this.repo, user, courseId, 'manage');
    const enrolments = await this.repo.studentIds(course.id);
    const found = await this.users.byIds(enrolments.map((e) => e.studentId));
    return enrolments.map((e) => ({
      id: e.studentId,
      username: found.get(e.studentId)?.username ?? '',
      email: found.get(e.studentId)?.email ?? '',
      enrolledAt: e.enrolledAt.toISOString(),
    }));
  }

  async unenrol(user: AuthUser, courseId: string, studentId: string): Promise<void> {
    const course = await courseFor(this.repo, user, courseId, 'manage');
    if (!isUuid(studentId) || !(await this.repo.unenrol(course.id, studentId))) throw new HttpError(404, 'not_found', 'this student is not in the group');
  }

  /** Adds an assignment; with an Idempotency-Key claim (the caller is filled in) a retry gets the one made first, as it was sent then. */
  async addAssignment(
    user: AuthUser,
    courseId: string,
    input: { title: string; dueAt: string },
    idempotency?: Omit<IdempotencyClaim, 'caller'>,
  ): Promise<IdempotentOutcome<AssignmentView>> {
    const course = await courseFor(this.repo, user, courseId, 'manage');
    if (!isReasonableDate(input.dueAt))
      throw new HttpError(400, 'validation_failed', 'the due date is out of range', [{ field: 'dueAt', message: 'must be between 1900 and 3000' }]);
    if (!idempotency) return { status: 201, body: assignmentView(await this.repo.createAssignment(course.id, input.title, input.dueAt)), replayed: false };
    // runOnce stores the body as JSON: store the view, so a replay is the same text.
    return runOnce(this.repo.db, { ...idempotency, caller: user.id }, async (tx) => ({
      status: 201,
      body: assignmentView(await this.repo.createAssignment(course.id, input.title, input.dueAt, tx)),
    }));
  }

  async assignments(user: AuthUser, courseId: string): Promise<Assignment[]> {
    const course = await courseFor(this.repo, user, courseId, 'view');
    return this.repo.assignments(course.id);
  }

  /** Records or replaces a grade (0 to the scale, two decimals); onTime comes from submittedAt against the due date unless given. */
  async putGrade(
    user: AuthUser,
    assignmentId: string,
    studentId: string,
    input: { grade: number; submittedAt?: string | undefined; onTime?: boolean | undefined },
  ): Promise<Grade> {
    const { grade, submittedAt, onTime } = input;
    if (submittedAt !== undefined && !isReasonableDate(submittedAt)) {
      throw new HttpError(400, 'validation_failed', 'the submission time is out of range', [
        { field: 'submittedAt', message: 'must be between 1900 and 3000' },
      ]);
    }
    if (grade > this.gradeScale || !hasTwoDecimals(grade)) {
      throw new HttpError(400, 'validation_failed', 'the grade is out of range', [
        { field: 'grade', message: `must be between 0 and ${this.gradeScale} with at most two decimals` },
      ]);
    }
    const assignment = isUuid(assignmentId) ? await this.repo.assignment(assignmentId) : undefined;
    if (!assignment) throw new HttpError(404, 'not_found', 'no such assignment');
    const course = await courseFor(this.repo, user, assignment.courseId, 'manage');
    if (!isUuid(studentId) || !(await this.repo.isEnrolled(course.id, studentId))) throw new HttpError(404, 'not_found', 'this student is not in the group');
    const submitted = submittedAt ?? null;
    const derivedOnTime = onTime ?? new Date(submitted ?? Date.now()) <= assignment.dueAt;
    // The grade and its grade.recorded event commit together; the outbox relay publishes the event.
    return this.repo.putGrade({ assignmentId: assignment.id, studentId, grade, submittedAt: submitted, onTime: derivedOnTime });
  }

  async courseGrades(user: AuthUser, courseId: string): Promise<Grade[]> {
    const course = await courseFor(this.repo, user, courseId, 'manage');
    return this.repo.courseGrades(course.id);
  }

  myGrades(user: AuthUser): Promise<Grade[]> {
    return this.repo.studentGrades(user.id);
  }
}
