import { z } from 'zod';
import { defineModuleSettings } from '../../platform/module-settings.ts';

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** The deploy module's environment variables. */
export const deploySettings = defineModuleSettings(
  'deploy',
  z.object({
    /** Builds that run at once in one worker process (the old max_workers). */
    AULA_DEPLOY_CONCURRENCY: int(1, 64, 1),
    /** How long a new release has to answer HTTP on its socket. */
    AULA_DEPLOY_START_TIMEOUT_SECONDS: int(1, 600, 30),
    /** Successful releases kept on disk for rollback. */
    AULA_DEPLOY_KEEP_RELEASES: int(1, 50, 3),
    /** Tests only: a project's repository may be an absolute path to a local bare repository. */
    AULA_DEPLOY_ALLOW_LOCAL_REPOS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    /** Wall-time limit of the clone. */
    AULA_DEPLOY_FETCH_TIMEOUT_SECONDS: int(1, 3600, 120),
    /** Wall-time limit of dependency install plus build. */
    AULA_DEPLOY_BUILD_TIMEOUT_SECONDS: int(1, 7200, 600),
    /** Largest checkout (source plus installed dependencies and build output), in MB. */
    AULA_DEPLOY_MAX_RELEASE_MB: int(1, 100_000, 1024),
    /** Memory limit of each app and each build, in MB. */
    AULA_APP_MEMORY_MB: int(16, 65_536, 256),
    /** CPU share of each app and each build, in CPUs. */
    AULA_APP_CPUS: z.coerce.number().min(0.05).max(64).default(0.5),
    /** Processes (and threads) per app and per build. */
    AULA_APP_PIDS: int(8, 100_000, 128),
    /** Size of each sandbox's private /tmp, in MB. */
    AULA_APP_TMP_MB: int(1, 10_240, 64),
    /** Log lines kept per release (the oldest are dropped). */
    AULA_DEPLOY_LOG_LINES: int(100, 1_000_000, 5000),
    /** First system uid given to apps (each app gets its own, from here up). */
    AULA_APP_UID_BASE: int(1000, 4_000_000_000, 200_000),
    /** First restart delay of a crashed app, doubled on each further restart. */
    AULA_DEPLOY_RESTART_BACKOFF_MS: int(1, 600_000, 1000),
    /** When set (e.g. apps.example.edu), `<slug>.<domain>` also reaches the app at /apps/<slug>/ — its own origin, apart from Aula's. */
    AULA_APPS_DOMAIN: z
      .string()
      .regex(/^(?=.{1,200}$)([a-z0-9-]+\.)*[a-z0-9-]+$/, 'must be a lowercase domain name such as apps.example.edu')
      .optional(),
    /** `auto`: a project with only a Dockerfile is built and run with podman when podman works on this host; `off`: such projects are refused. */
    AULA_DEPLOY_CONTAINERS: z.enum(['auto', 'off']).default('auto'),
    /** Directory of PostgreSQL's unix socket (bound into sandboxes so apps reach their database without network); looked for in /var/run/postgresql, /run/postgresql and /tmp when unset. */
    AULA_DEPLOY_PG_SOCKET_DIR: z.string().optional(),
  }),
);

/** The parsed settings of the deploy module. */
export type DeploySettings = ReturnType<typeof deploySettings.get>;
