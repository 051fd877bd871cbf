import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';

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
  return {
    async courseExists(courseId) {
      if (!isUuid(courseId)) return false;
      return ((await ctx.pool.query('SELECT 1 FROM academic.courses WHERE id = $1', [courseId])).rowCount ?? 0) > 0;
    },
    async teacherOf(courseId) {
      if (!isUuid(courseId)) return undefined;
      const { rows } = await ctx.pool.query<{ teacher_id: string }>('SELECT teacher_id FROM academic.courses WHERE id = $1', [courseId]);
      return rows[0]?.teacher_id;
    },
    async enrolledAmong(courseId, userIds) {
      const ids = userIds.filter(isUuid);
      if (!isUuid(courseId) || ids.length === 0) return new Set();
      const { rows } = await ctx.pool.query<{ student_id: string }>(
        'SELECT student_id FROM academic.enrolments WHERE course_id = $1 AND student_id = ANY($2::uuid[])',
        [courseId, ids],
      );
      return new Set(rows.map((row) => row.student_id));
    },
    async coursesOf(userId) {
      if (!isUuid(userId)) return { enrolled: [], teaches: [] };
      const [enrolled, teaches] = await Promise.all([
        ctx.pool.query<{ id: string }>('SELECT course_id AS id FROM academic.enrolments WHERE student_id = $1', [userId]),
        ctx.pool.query<{ id: string }>('SELECT id FROM academic.courses WHERE teacher_id = $1', [userId]),
      ]);
      return { enrolled: enrolled.rows.map((r) => r.id), teaches: teaches.rows.map((r) => r.id) };
    },
  };
}
