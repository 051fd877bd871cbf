import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';
import { AcademicRepository } from './repository.ts';
import { academicSettings } from './config.ts';

/** What other modules may ask academic. */
export interface CourseLookup {
  /** Whether the user teaches this course group (false for unknown or malformed ids). */
  teaches(teacherId: string, courseId: string): Promise<boolean>;
  /** Which of these students are enrolled in the course group (malformed ids never are). */
  enrolled(courseId: string, studentIds: string[]): Promise<Set<string>>;
  /** Grades run from 0 to this (AULA_GRADE_SCALE), with two decimals. */
  readonly gradeScale: number;
}

/** The typed interface academic exports; stats uses it to let teachers see and write their groups' figures. */
export function courseLookup(ctx: ModuleContext): CourseLookup {
  const repo = new AcademicRepository(ctx.pool);
  return {
    gradeScale: academicSettings.get(ctx.config).gradeScale,
    async teaches(teacherId, courseId) {
      return isUuid(courseId) && isUuid(teacherId) && repo.teaches(teacherId, courseId);
    },
    async enrolled(courseId, studentIds) {
      const valid = [...new Set(studentIds.filter(isUuid))];
      return isUuid(courseId) ? repo.enrolledAmong(courseId, valid) : new Set();
    },
  };
}
