import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';

/** What other modules may ask academic. */
export interface CourseLookup {
  /** Whether the user teaches this course group (false for unknown or malformed ids). */
  teaches(teacherId: string, courseId: string): Promise<boolean>;
  /** Which of these students are enrolled in the course group (malformed ids never are). */
  enrolled(courseId: string, studentIds: string[]): Promise<Set<string>>;
}


/** The typed interface academic exports; stats uses it to let teachers see and write their groups' figures. */
export function courseLookup(ctx: ModuleContext): CourseLookup {
  return {
    async teaches(teacherId, courseId) {
      if (!isUuid(courseId) || !isUuid(teacherId)) return false;
      const row = await ctx.pool.query('SELECT 1 FROM academic.courses WHERE id = $1 AND teacher_id = $2', [courseId, teacherId]);
      return (row.rowCount ?? 0) > 0;
    },
    async enrolled(courseId, studentIds) {
      const valid = [...new Set(studentIds.filter(isUuid))];
      if (!isUuid(courseId) || valid.length === 0) return new Set();
      const rows = await ctx.pool.query<{ id: string }>('SELECT student_id::text AS id FROM academic.enrolments WHERE course_id = $1 AND student_id = ANY($2::uuid[])', [courseId, valid]);
      return new Set(rows.rows.map((r) => r.id));
    },
  };
}
