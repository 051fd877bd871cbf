import { z } from 'zod';
import { defineModuleSettings } from '../../platform/module-settings.ts';

/** Stats' environment variables. */
export const statsSettings = defineModuleSettings(
  'stats',
  z.object({ AULA_STATS_SERVICE_TOKEN: z.string().min(32, 'must be at least 32 characters').optional() }),
  ['AULA_STATS_SERVICE_TOKEN'],
  (e) => ({
    /** A shared secret external systems send as `X-Service-Token` to write grades. */
    serviceToken: e.AULA_STATS_SERVICE_TOKEN,
  }),
);
