import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';

/** What other modules may ask academic. */
export interface CourseLookup {
  /** Whether the user teaches this course group (false for unknown or malformed ids). */
  teaches(teacherId: string, courseId: string): Promise<boolean>;
}


/** The typed interface academic exports; stats uses it to let teachers see their groups' figures. */
export function courseLookup(ctx: ModuleContext): CourseLookup {
  return {
    async teaches(teacherId, courseId) {
      if (!isUuid(courseId) || !isUuid(teacherId)) return false;
      const row = await ctx.pool.query('SELECT 1 FROM academic.courses WHERE id = $1 AND teacher_id = $2', [courseId, teacherId]);
      return (row.rowCount ?? 0) > 0;
    },
  };
}
