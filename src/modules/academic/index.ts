import { fileURLToPath } from 'node:url';
import type { AulaModule } from '../../platform/module.ts';
import { userLookup } from '../identity/lookup.ts';
import { registerCourseRoutes } from './course-routes.ts';
import { registerGradeRoutes } from './grade-routes.ts';
import { ACADEMIC_OUTBOX, AcademicRepository } from './repository.ts';
import { AcademicService } from './service.ts';
import { registerSubjectRoutes } from './subject-routes.ts';
import { academicSettings } from './config.ts';

/** Academic: subjects, course groups, enrolments, assignments and grades. */
export const academicModule: AulaModule = {
  name: 'academic',
  migrations: { schema: 'academic', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },
  outboxes: [ACADEMIC_OUTBOX],
  async routes(app, ctx) {
    const academic = new AcademicService(new AcademicRepository(ctx.pool), userLookup(ctx), academicSettings.get(ctx.config).gradeScale);
    await app.register(async (scope) => {
      registerSubjectRoutes(scope, ctx.auth, academic);
      registerCourseRoutes(scope, ctx.auth, academic);
      registerGradeRoutes(scope, ctx.auth, academic, ctx.jwtSecret);
    });
  },
};
