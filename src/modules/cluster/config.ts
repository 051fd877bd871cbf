import { z } from 'zod';
import { defineModuleSettings } from '../../platform/module-settings.ts';

/** `aula cluster`'s environment variables (also `--api` and `--workers`). */
export const clusterSettings = defineModuleSettings(
  'cluster',
  z.object({
    AULA_CLUSTER_API: z.coerce.number().int().min(1).max(64).default(2),
    AULA_CLUSTER_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
    AULA_CLUSTER_STATS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  }),
  [],
  /** API and worker process counts, and the loopback port of HAProxy's stats page (0: a free one). */
  (e) => ({ api: e.AULA_CLUSTER_API, workers: e.AULA_CLUSTER_WORKERS, statsPort: e.AULA_CLUSTER_STATS_PORT }),
);
