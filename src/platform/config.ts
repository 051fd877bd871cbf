import path from 'node:path';
import { z } from 'zod';
import { declaredModuleSettings } from './module-settings.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
      message: `must start with ${protocols.join(' or ')}//`,
    })
    .optional();

const schema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  AULA_DATA_DIR: z.string().min(1).default('./data'),
  AULA_STORAGE_DIR: z.string().min(1).optional(),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  AULA_DB_POOL_MAX: z.coerce.number().int().min(2, 'must be at least 2 (migrations hold one connection)').default(10),
  AULA_EMBEDDED_PG_PORT: port.default(0),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  AULA_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'letters, digits, _ : . - only')
    .default('aula'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AULA_SHUTDOWN_TIMEOUT_MS: positiveInt.default(5000),
  AULA_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AULA_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|[0-9a-fA-F.:/,\s]+)$/, 'must be true, false, or a comma-separated list of proxy addresses/CIDRs')
    .default('false'),
  AULA_JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  AULA_REQUEST_TIMEOUT_SECONDS: positiveInt.default(600),
  AULA_HOUSEKEEPING_INTERVAL_SECONDS: positiveInt.default(3600),
});

/** Every environment variable Aula reads (for checks of deployment files). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

// Their values never appear in error messages: they are, or may contain, secrets.
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'REDIS_URL', 'AULA_JWT_SECRET']);

/** Every setting of Aula, parsed from the environment once at start-up. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  storageDir: string;
  databaseUrl: string | undefined;
  dbPoolMax: number;
  embeddedPgPort: number;
  redisUrl: string | undefined;
  redisPrefix: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  /** Unset: generated into the data directory on first start. */
  jwtSecret: string | undefined;
  /** Fastify's trustProxy: false, true, or the proxies' addresses/CIDRs. */
  trustProxy: boolean | string;
  /** How long a worker holds a job before another may take it over (stalled-job recovery). */
  jobLockMs: number;
  /** Longest time to receive a whole HTTP request (an upload included); also how old a partial file must be to be swept. */
  requestTimeoutMs: number;
  /** How often the housekeeping jobs prune expired rows (rate-limit counters, old process records…). */
  housekeepingIntervalSeconds: number;

  /** Each module's own settings, by module name (read them through the module's ModuleSettings.get). */
  modules: Record<string, unknown>;
}

/** A configuration error that names the offending variables. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]));
  const parsed = schema.safeParse(cleaned);
  const lines: string[] = [];
  const describeIssues = (issues: z.core.$ZodIssue[], secrets: Set<string>) => {
    for (const issue of issues) {
      const name = String(issue.path[0]);
      const shown = secrets.has(name) ? '(hidden)' : JSON.stringify(env[name] ?? '');
      lines.push(`${name}=${shown}: ${issue.message}`);
    }
  };
  if (!parsed.success) describeIssues(parsed.error.issues, SECRET_VARIABLES);
  const modules: Record<string, unknown> = {};
  for (const settings of declaredModuleSettings()) {
    const values = Object.fromEntries(settings.variables.map((key) => [key, env[key] === '' ? undefined : env[key]]));
    const result = settings.safeParse(values);
    if (result.success) modules[settings.module] = result.data;
    else describeIssues(result.error.issues, new Set(settings.secretVariables));
  }
  if (!parsed.success || lines.length > 0) throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  const e = parsed.data;
  const dataDir = path.resolve(e.AULA_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    storageDir: path.resolve(e.AULA_STORAGE_DIR ?? path.join(dataDir, 'files')),
    databaseUrl: e.DATABASE_URL,
    dbPoolMax: e.AULA_DB_POOL_MAX,
    embeddedPgPort: e.AULA_EMBEDDED_PG_PORT,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.AULA_REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.AULA_SHUTDOWN_TIMEOUT_MS,
    jwtSecret: e.AULA_JWT_SECRET,
    trustProxy: parseTrustProxy(e.AULA_TRUST_PROXY),
    jobLockMs: e.AULA_JOB_LOCK_MS,
    requestTimeoutMs: e.AULA_REQUEST_TIMEOUT_SECONDS * 1000,
    housekeepingIntervalSeconds: e.AULA_HOUSEKEEPING_INTERVAL_SECONDS,
    modules,
  };
}

function parseTrustProxy(value: string): boolean | string {
  return value === 'true' ? true : value === 'false' ? false : value;
}
