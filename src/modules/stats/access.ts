import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthGuards } from '../../platform/auth/guards.ts';
import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import type { CourseLookup } from '../academic/lookup.ts';

/**
 * Decides who sees which figures: students their own, teachers their groups', admins all.
 * The rule (docs/architecture.md): a course or student the caller may not know of is a
 * 404; one the caller knows (a student's own course group, any student for a teacher,
 * who has the user directory) whose figures or writes are not theirs is a 403.
 */
export class StatsAccess {
  constructor(
    private readonly courses: CourseLookup,
    private readonly auth: AuthGuards,
    private readonly serviceToken: string | undefined,
  ) {}

  /** A student's own figures (or an admin's view); another student's are a 404. Course-specific views also let the group's teacher in. */
  async student(user: AuthUser, studentId: string, courseId?: string): Promise<void> {
    if (user.role === 'admin' || user.id === studentId) return;
    if (user.role === 'teacher' && courseId !== undefined && (await this.courses.teaches(user.id, courseId))) return;
    if (user.role === 'teacher') throw new HttpError(403, 'forbidden', 'teachers see the figures of their own groups');
    throw new HttpError(404, 'not_found', 'no figures for this student');
  }

  /**
   * A whole course's figures: its teacher and admins. A student is refused for their
   * role (403, as a role guard answers, before any course is looked at); a teacher who
   * does not teach the group does not know of it (404).
   */
  async course(user: AuthUser, courseId: string): Promise<void> {
    if (user.role === 'admin') return;
    if (user.role === 'student') throw new HttpError(403, 'forbidden', 'students see their own figures only');
    if (await this.courses.teaches(user.id, courseId)) return;
    throw new HttpError(404, 'not_found', 'no figures for this course');
  }

  /** Writers of direct grades: a service token (X-Service-Token), an admin, or a teacher for their own groups. */
  writer = async (request: FastifyRequest, reply: FastifyReply): Promise<'service' | 'user'> => {
    const given = request.headers['x-service-token'];
    if (typeof given === 'string' && this.serviceToken) {
      const a = Buffer.from(given);
      const b = Buffer.from(this.serviceToken);
      if (a.length === b.length && timingSafeEqual(a, b)) return 'service';
      throw new HttpError(401, 'unauthorized', 'the service token is not valid');
    }
    await this.auth.requireRole('teacher', 'admin')(request, reply);
    return 'user';
  };

  /**
   * Checks that this user may write these grades: admins any; a teacher only for
   * their own groups (another group is one they do not know of: 404, as academic
   * answers) and only for students enrolled in them (404). Problems name the list
   * index when given one.
   */
  async checkWrite(user: AuthUser, grades: Array<{ studentId: string; courseId: string }>, listed: boolean): Promise<void> {
    if (user.role === 'admin') return;
    const field = (i: number) => `${listed ? `${i}.` : ''}studentId`;
    const missing: Array<{ field: string; message: string }> = [];
    for (const courseId of new Set(grades.map((g) => g.courseId))) {
      if (!(await this.courses.teaches(user.id, courseId))) throw new HttpError(404, 'not_found', `no such course: ${courseId}`);
      const enrolled = await this.courses.enrolled(
        courseId,
        grades.filter((g) => g.courseId === courseId).map((g) => g.studentId),
      );
      grades.forEach((g, i) => {
        if (g.courseId === courseId && !enrolled.has(g.studentId)) missing.push({ field: field(i), message: 'is not enrolled in this course' });
      });
    }
    if (missing.length > 0) throw new HttpError(404, 'not_found', 'some students are not in the group', missing);
  }
}
