import type { ColumnType, Generated, Kysely } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** Where a deployment is in the pipeline; `live` is the serving release, `retired` a former one. */
export type DeploymentState = 'queued' | 'fetching' | 'building' | 'starting' | 'checking' | 'live' | 'failed' | 'cancelled' | 'retired';
/** What a release is: files Aula serves, or a Node.js process in the sandbox. */
export type ReleaseKind = 'static' | 'node' | 'container';
/** Whether an app's process runs, as the supervisor sees it. */
export type AppStatus = 'running' | 'stopped' | 'crashed' | 'starting';
/** Which output a log line came from. */
export type LogStream = 'build' | 'stdout' | 'stderr' | 'system';

interface AppsTable {
  project_id: string;
  slug: string;
  uid_offset: Generated<number>;
  live_deployment_id: Nullable<string>;
  desired: ColumnType<'running' | 'stopped', 'running' | 'stopped' | undefined, 'running' | 'stopped'>;
  status: ColumnType<AppStatus, AppStatus | undefined, AppStatus>;
  restarts: ColumnType<number, number | undefined, number>;
  status_reason: Nullable<string>;
  memory_bytes: Nullable<number>;
  cpu_percent: Nullable<number>;
  sampled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  requests: ColumnType<number, number | undefined, number>;
  responses_5xx: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

interface DeploymentsTable {
  id: Generated<string>;
  project_id: string;
  ref: Nullable<string>;
  commit_sha: Nullable<string>;
  kind: Nullable<ReleaseKind>;
  state: ColumnType<DeploymentState, DeploymentState | undefined, DeploymentState>;
  progress: ColumnType<number, number | undefined, number>;
  reason: Nullable<string>;
  rollback_of: Nullable<string>;
  requested_by: string;
  created_at: Timestamp;
  started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

interface LogLinesTable {
  seq: Generated<number>;
  deployment_id: string;
  stream: LogStream;
  line: string;
  at: Timestamp;
}

/** The deploy schema's tables, as Kysely sees them. */
export interface DeployDb {
  'deploy.apps': AppsTable;
  'deploy.deployments': DeploymentsTable;
  'deploy.log_lines': LogLinesTable;
}

/** Kysely over the deploy schema. */
export type DeployKysely = Kysely<DeployDb>;
