import { sql } from 'kysely';
import type { AppStatus, DeployKysely, DeploymentState, LogStream, ReleaseKind } from './db.ts';

/** A deployment as the service uses it. */
export interface DeploymentRow {
  id: string;
  projectId: string;
  ref: string | null;
  commitSha: string | null;
  kind: ReleaseKind | null;
  state: DeploymentState;
  progress: number;
  reason: string | null;
  rollbackOf: string | null;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A deployed project's app: its sandbox uid offset, serving release and supervisor state. */
export interface AppRow {
  projectId: string;
  slug: string;
  uidOffset: number;
  liveDeploymentId: string | null;
  desired: 'running' | 'stopped';
  status: AppStatus;
  restarts: number;
  statusReason: string | null;
  memoryBytes: number | null;
  cpuPercent: number | null;
  sampledAt: Date | null;
  requests: number;
  responses5xx: number;
}

/** One stored log line. */
export interface LogLine {
  seq: number;
  stream: LogStream;
  line: string;
  at: Date;
}

/** Fields set with a state change. */
export interface StateFields {
  progress?: number;
  reason?: string | null;
  commitSha?: string;
  kind?: ReleaseKind;
  started?: boolean;
  finished?: boolean;
}

const DEPLOYMENT_COLUMNS = [
  'id',
  'project_id as projectId',
  'ref',
  'commit_sha as commitSha',
  'kind',
  'state',
  'progress',
  'reason',
  'rollback_of as rollbackOf',
  'requested_by as requestedBy',
  'created_at as createdAt',
  'started_at as startedAt',
  'finished_at as finishedAt',
] as const;
const APP_COLUMNS = [
  'project_id as projectId',
  'slug',
  'uid_offset as uidOffset',
  'live_deployment_id as liveDeploymentId',
  'desired',
  'status',
  'restarts',
  'status_reason as statusReason',
  'memory_bytes as memoryBytes',
  'cpu_percent as cpuPercent',
  'sampled_at as sampledAt',
  'requests',
  'responses_5xx as responses5xx',
] as const;
const UNFINISHED: DeploymentState[] = ['queued', 'fetching', 'building', 'starting', 'checking'];

/** Kysely queries on the deploy schema, nothing else. */
export class DeployRepository {
  constructor(private readonly db: DeployKysely) {}

  /** The project's app row, created on its first deployment. */
  async ensureApp(projectId: string, slug: string): Promise<AppRow> {
    await this.db
      .insertInto('deploy.apps')
      .values({ project_id: projectId, slug })
      .onConflict((c) => c.column('project_id').doNothing())
      .execute();
    return (await this.app(projectId))!;
  }

  /** The app of a project, if it was ever deployed. */
  async app(projectId: string): Promise<AppRow | undefined> {
    return this.db.selectFrom('deploy.apps').select(APP_COLUMNS).where('project_id', '=', projectId).executeTakeFirst();
  }

  /** The serving release of the app at a slug, for the router. */
  async liveBySlug(slug: string): Promise<{ projectId: string; deploymentId: string; kind: ReleaseKind; desired: 'running' | 'stopped' } | undefined> {
    const row = await this.db
      .selectFrom('deploy.apps as a')
      .innerJoin('deploy.deployments as d', 'd.id', 'a.live_deployment_id')
      .select(['a.project_id as projectId', 'd.id as deploymentId', 'd.kind', 'a.desired'])
      .where('a.slug', '=', slug)
      .executeTakeFirst();
    return row?.kind ? { projectId: row.projectId, deploymentId: row.deploymentId, kind: row.kind, desired: row.desired } : undefined;
  }

  /** The slug, live deployment and wanted state of every app whose live release is a process (Node.js or a container): the front proxy's routes. */
  async liveProcessReleases(): Promise<Array<{ slug: string; uidOffset: number; deploymentId: string; desired: 'running' | 'stopped' }>> {
    return this.db
      .selectFrom('deploy.apps as a')
      .innerJoin('deploy.deployments as d', 'd.id', 'a.live_deployment_id')
      .select(['a.slug', 'a.uid_offset as uidOffset', 'd.id as deploymentId', 'a.desired'])
      .where('d.kind', '!=', 'static')
      .execute();
  }

  /** Every app. */
  async apps(): Promise<AppRow[]> {
    return this.db.selectFrom('deploy.apps').select(APP_COLUMNS).execute();
  }

  /** Deletes a project's app, deployments and logs (its project was deleted); returns the deployment ids. */
  async forgetProject(projectId: string): Promise<string[]> {
    return this.db.transaction().execute(async (tx) => {
      const gone = await tx.deleteFrom('deploy.deployments').where('project_id', '=', projectId).returning('id').execute();
      await tx.deleteFrom('deploy.apps').where('project_id', '=', projectId).execute();
      return gone.map((d) => d.id);
    });
  }

  /** Every app whose operator wants it running and that has a live release. */
  async appsToRun(): Promise<AppRow[]> {
    return this.db.selectFrom('deploy.apps').select(APP_COLUMNS).where('desired', '=', 'running').where('live_deployment_id', 'is not', null).execute();
  }

  /** Records a queued deployment. */
  async insertDeployment(
    d: { projectId: string; ref: string | null; rollbackOf: string | null; commitSha: string | null; requestedBy: string },
    db: DeployKysely = this.db,
  ): Promise<DeploymentRow> {
    return db
      .insertInto('deploy.deployments')
      .values({ project_id: d.projectId, ref: d.ref, rollback_of: d.rollbackOf, commit_sha: d.commitSha, requested_by: d.requestedBy })
      .returning(DEPLOYMENT_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  /** One deployment. */
  async deployment(id: string): Promise<DeploymentRow | undefined> {
    return this.db.selectFrom('deploy.deployments').select(DEPLOYMENT_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  /** A project's deployments, newest first. */
  async deployments(projectId: string, max: number): Promise<DeploymentRow[]> {
    return this.db
      .selectFrom('deploy.deployments')
      .select(DEPLOYMENT_COLUMNS)
      .where('project_id', '=', projectId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(max)
      .execute();
  }

  /** The newest successful releases (live or retired) of a project. */
  async releases(projectId: string, max: number): Promise<DeploymentRow[]> {
    return this.db
      .selectFrom('deploy.deployments')
      .select(DEPLOYMENT_COLUMNS)
      .where('project_id', '=', projectId)
      .where('state', 'in', ['live', 'retired'])
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .limit(max)
      .execute();
  }

  /** Moves an unfinished deployment to a state; false when it already finished (e.g. it was cancelled). */
  async advance(id: string, state: DeploymentState, f: StateFields = {}): Promise<boolean> {
    const result = await this.db
      .updateTable('deploy.deployments')
      .set({
        state,
        ...(f.progress !== undefined ? { progress: f.progress } : {}),
        ...(f.reason !== undefined ? { reason: f.reason } : {}),
        ...(f.commitSha ? { commit_sha: f.commitSha } : {}),
        ...(f.kind ? { kind: f.kind } : {}),
        ...(f.started ? { started_at: sql<Date>`now()` } : {}),
        ...(f.finished ? { finished_at: sql<Date>`now()` } : {}),
      })
      .where('id', '=', id)
      .where('state', 'in', UNFINISHED)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Makes a deployment the serving release in one transaction: the former one retires. Returns the former id. */
  async switchLive(projectId: string, deploymentId: string): Promise<string | null> {
    return this.db.transaction().execute(async (tx) => {
      const app = await tx.selectFrom('deploy.apps').select('live_deployment_id').where('project_id', '=', projectId).forUpdate().executeTakeFirstOrThrow();
      const previous = app.live_deployment_id;
      if (previous && previous !== deploymentId) await tx.updateTable('deploy.deployments').set({ state: 'retired' }).where('id', '=', previous).execute();
      await tx
        .updateTable('deploy.deployments')
        .set({ state: 'live', progress: 100, finished_at: sql<Date>`coalesce(finished_at, now())` })
        .where('id', '=', deploymentId)
        .execute();
      await tx.updateTable('deploy.apps').set({ live_deployment_id: deploymentId, updated_at: sql<Date>`now()` }).where('project_id', '=', projectId).execute();
      return previous === deploymentId ? null : previous;
    });
  }

  /** Records what the supervisor sees. */
  async setStatus(projectId: string, status: AppStatus, reason: string | null, restarts?: number): Promise<void> {
    await this.db
      .updateTable('deploy.apps')
      .set({ status, status_reason: reason, ...(restarts !== undefined ? { restarts } : {}), updated_at: sql<Date>`now()` })
      .where('project_id', '=', projectId)
      .execute();
  }

  /** Records a usage sample of a running app (null when it does not run). */
  async setUsage(projectId: string, usage: { memoryBytes: number; cpuPercent: number } | null): Promise<void> {
    await this.db
      .updateTable('deploy.apps')
      .set({ memory_bytes: usage?.memoryBytes ?? null, cpu_percent: usage?.cpuPercent ?? null, sampled_at: usage ? sql<Date>`now()` : null })
      .where('project_id', '=', projectId)
      .execute();
  }

  /** Adds routed requests and 5xx answers to an app's counts. */
  async addRequests(slug: string, requests: number, errors: number): Promise<void> {
    await this.db
      .updateTable('deploy.apps')
      .set({ requests: sql<number>`requests + ${requests}`, responses_5xx: sql<number>`responses_5xx + ${errors}` })
      .where('slug', '=', slug)
      .execute();
  }

  /** Records what the operator wants. */
  async setDesired(projectId: string, desired: 'running' | 'stopped'): Promise<void> {
    await this.db.updateTable('deploy.apps').set({ desired, updated_at: sql<Date>`now()` }).where('project_id', '=', projectId).execute();
  }

  /** Stores log lines. */
  async appendLogs(deploymentId: string, lines: Array<{ stream: LogStream; line: string }>): Promise<void> {
    if (lines.length === 0) return;
    await this.db
      .insertInto('deploy.log_lines')
      .values(lines.map((l) => ({ deployment_id: deploymentId, stream: l.stream, line: l.line })))
      .execute();
  }

  /** Drops a deployment's oldest lines beyond `keep`. */
  async trimLogs(deploymentId: string, keep: number): Promise<void> {
    await sql`DELETE FROM deploy.log_lines WHERE deployment_id = ${deploymentId} AND seq < (
                SELECT min(seq) FROM (SELECT seq FROM deploy.log_lines WHERE deployment_id = ${deploymentId} ORDER BY seq DESC LIMIT ${keep}) newest)`.execute(
      this.db,
    );
  }

  /** A deployment's lines after `since`, oldest first. */
  async logs(deploymentId: string, since: number, max: number): Promise<LogLine[]> {
    return this.db
      .selectFrom('deploy.log_lines')
      .select(['seq', 'stream', 'line', 'at'])
      .where('deployment_id', '=', deploymentId)
      .where('seq', '>', since)
      .orderBy('seq')
      .limit(max)
      .execute();
  }
}
