import { fileURLToPath } from 'node:url';
import type { AulaModule } from './module.ts';

/** The platform's own schema (process registry) and the diagnostic no-op queue. */
export const platformModule: AulaModule = {
  name: 'platform',
  migrations: { schema: 'platform', dir: fileURLToPath(new URL('./db/migrations', import.meta.url)) },
  handlers: {
    'platform.noop': () => async (job) => ({ seq: job.data.seq }),
  },
};
