import { academicModule } from './modules/academic/index.ts';
import { clusterModule } from './modules/cluster/index.ts';
import { deployModule } from './modules/deploy/index.ts';
import { deployQueues } from './modules/deploy/queues.ts';
import { identityModule } from './modules/identity/index.ts';
import { identityQueues } from './modules/identity/queues.ts';
import { mediaModule } from './modules/media/index.ts';
import { mediaQueues } from './modules/media/queues.ts';
import { projectsModule } from './modules/projects/index.ts';
import { statsModule } from './modules/stats/index.ts';
import { statsQueues } from './modules/stats/queues.ts';
import { webModule } from './modules/web/index.ts';
import type { AulaModule, ModuleQueues } from './platform/module.ts';
import { platformModule, platformQueues } from './platform/platform-module.ts';
import type { QueuePayloads } from './platform/queue/definitions.ts';

/**
 * The composition root: every module Aula installs, the platform's own first,
 * in migration order. This is the one place that lists the modules.
 */
export const ALL_MODULES: readonly AulaModule[] = [
  platformModule,
  identityModule,
  mediaModule,
  academicModule,
  statsModule,
  projectsModule,
  deployModule,
  clusterModule,
  webModule,
];

// Every queue any module declares (by augmenting QueuePayloads) needs its entry here, so
// a module whose queue map is not installed is a compile error, not a worker that finds
// no handler at start.
const everyQueue: ModuleQueues<QueuePayloads> = { ...platformQueues, ...identityQueues, ...mediaQueues, ...statsQueues, ...deployQueues };
void everyQueue;
