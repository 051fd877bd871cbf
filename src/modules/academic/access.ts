import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import type { AcademicRepository, Course } from './repository.ts';

/** The group's teacher or an admin. */
export const manages = (user: AuthUser, course: Course) => user.role === 'admin' || course.teacherId === user.id;

/**
 * Loads a course the caller may see: admins all, a teacher their groups, a
 * student their enrolments. `manage` needs the group's teacher or an admin;
 * a course the caller may not see is a 404, one they see but may not change a 403.
 */
export async function courseFor(repo: AcademicRepository, user: AuthUser, id: string, need: 'view' | 'manage'): Promise<Course> {
  const course = isUuid(id) ? await repo.course(id) : undefined;
  if (!course) throw new HttpError(404, 'not_found', 'no such course');
  if (manages(user, course)) return course;
  const visible = user.role === 'student' && (await repo.isEnrolled(course.id, user.id));
  if (!visible) throw new HttpError(404, 'not_found', 'no such course');
  if (need === 'manage') throw new HttpError(403, 'forbidden', 'only the group’s teacher or an admin can do this');
  return course;
}
