import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';
import { AcademicRepository } from './repository.ts';

/** What other modules may ask academic about who belongs to a course group. */
export interface EnrolmentLookup {
  /** Whether the course group exists (false for malformed ids). */
  courseExists(courseId: string): Promise<boolean>;
  /** The course group's teacher, if the group exists. */
  teacherOf(courseId: string): Promise<string | undefined>;
  /** Those of `userIds` enrolled in the course group. */
  enrolledAmong(courseId: string, userIds: string[]): Promise<Set<string>>;
  /** The course groups the user is enrolled in or teaches. */
  coursesOf(userId: string): Promise<{ enrolled: string[]; teaches: string[] }>;
}

/** The enrolment interface academic exports; projects uses it to check teams and visibility. */
export function enrolmentLookup(ctx: ModuleContext): EnrolmentLookup {
  const repo = new AcademicRepository(ctx.pool);
  return {
    async courseExists(courseId) {
      return isUuid(courseId) && (await repo.teacherOf(courseId)) !== undefined;
    },
    async teacherOf(courseId) {
      return isUuid(courseId) ? repo.teacherOf(courseId) : undefined;
    },
    async enrolledAmong(courseId, userIds) {
      return isUuid(courseId) ? repo.enrolledAmong(courseId, userIds.filter(isUuid)) : new Set();
    },
    async coursesOf(userId) {
      if (!isUuid(userId)) return { enrolled: [], teaches: [] };
      const [enrolled, teaches] = await Promise.all([repo.coursesEnrolledIn(userId), repo.coursesTaughtBy(userId)]);
      return { enrolled, teaches };
    },
  };
}
