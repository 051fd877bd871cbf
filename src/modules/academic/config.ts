import { z } from 'zod';
import { defineModuleSettings } from '../../platform/module-settings.ts';

/** Academic's environment variables. */
export const academicSettings = defineModuleSettings(
  'academic',
  z.object({ AULA_GRADE_SCALE: z.coerce.number().positive().max(1000).default(5) }),
  [],
  (e) => ({
    /** Grades run from 0 to this, with two decimals. */
    gradeScale: e.AULA_GRADE_SCALE,
  }),
);
