import type { AulaModule } from '../../platform/module.ts';
// Declares AULA_CLUSTER_* so that every process validates them at start, not only `aula cluster`.
import './config.ts';
import { registerClusterMetrics } from './metrics.ts';
import { registerClusterRoutes } from './routes.ts';

/** Availability: the admin view of `aula cluster` and its monitor's metrics (the supervisor itself is `aula cluster`). */
export const clusterModule: AulaModule = {
  name: 'cluster',
  async routes(app, ctx) {
    registerClusterMetrics(ctx.config.dataDir);
    await registerClusterRoutes(app, ctx);
  },
};
