import type { AulaModule } from '../platform/module.ts';
import { academicModule } from './academic/index.ts';
import { clusterModule } from './cluster/index.ts';
import { identityModule } from './identity/index.ts';
import { mediaModule } from './media/index.ts';
import { deployModule } from './deploy/index.ts';
import { projectsModule } from './projects/index.ts';
import { statsModule } from './stats/index.ts';
import { webModule } from './web/index.ts';

/** Every service module, in migration order. */
export const MODULES: AulaModule[] = [identityModule, mediaModule, academicModule, statsModule, projectsModule, deployModule, clusterModule, webModule];
