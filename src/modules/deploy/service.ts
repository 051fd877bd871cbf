import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { runOnce, type IdempotencyClaim } from '../../platform/http/idempotency.ts';
import { isUuid } from '../../platform/ids.ts';
import type { QueueBackend } from '../../platform/queue/backend.ts';
import type { Viewer } from '../projects/access.ts';
import type { DeployableProject, ProjectLookup } from '../projects/lookup.ts';
import type { DeploySettings } from './config.ts';
import type { DeployKysely } from './db.ts';
import { announceLiveChange } from './live-changes.ts';
import { DeployRepository, type AppRow, type DeploymentRow, type LogLine } from './repository.ts';

/** A deployment as the API shows it. */
export interface DeploymentView {
  id: string;
  projectId: string;
  ref: string | null;
  commitSha: string | null;
  kind: string | null;
  state: string;
  progress: number;
  reason: string | null;
  rollbackOf: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A stored log line as the API shows it. */
export type LogLineView = Omit<LogLine, 'at'> & { at: string };

/** An app as the API shows it. */
export interface AppView {
  url: string;
  status: string;
  desired: string;
  restarts: number;
  reason: string | null;
  liveDeploymentId: string | null;
  /** Memory in use and CPU share (percent of one core) at the last sample, while it runs. */
  usage: { memoryBytes: number; cpuPercent: number; sampledAt: string } | null;
  /** Requests routed to it, and those answered 5xx, since it was first deployed. */
  requests: number;
  responses5xx: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const deploymentView = (d: DeploymentRow): DeploymentView => ({
  id: d.id,
  projectId: d.projectId,
  ref: d.ref,
  commitSha: d.commitSha,
  kind: d.kind,
  state: d.state,
  progress: d.progress,
  reason: d.reason,
  rollbackOf: d.rollbackOf,
  createdAt: d.createdAt.toISOString(),
  startedAt: iso(d.startedAt),
  finishedAt: iso(d.finishedAt),
});
const appView = (a: AppRow): AppView => ({
  url: `/apps/${a.slug}/`,
  status: a.status,
  desired: a.desired,
  restarts: a.restarts,
  reason: a.statusReason,
  liveDeploymentId: a.liveDeploymentId,
  usage: a.sampledAt && a.memoryBytes !== null ? { memoryBytes: a.memoryBytes, cpuPercent: a.cpuPercent ?? 0, sampledAt: a.sampledAt.toISOString() } : null,
  requests: a.requests,
  responses5xx: a.responses5xx,
});

const TEAM: readonly Viewer[] = ['owner', 'member'];
const SEE: readonly Viewer[] = ['owner', 'member', 'staff'];
const notFound = (what = 'project') => new HttpError(404, 'not_found', `${what} not found`);
const forbidden = (what: string) => new HttpError(403, 'forbidden', `${what} is for the project's team`);

/** Deploy's rules: who deploys, sees, stops and rolls back which app; the queue does the work. */
export class DeployService {
  readonly repo: DeployRepository;

  constructor(
    private readonly db: DeployKysely,
    private readonly projects: ProjectLookup,
    private readonly queues: QueueBackend,
    private readonly settings: DeploySettings,
  ) {
    this.repo = new DeployRepository(db);
  }

  /** The project and the caller's relation to it; 404 unless the caller is on its team or its staff. */
  private async project(caller: AuthUser, projectId: string): Promise<{ project: DeployableProject; viewer: Viewer }> {
    const viewer = await this.projects.viewer(caller, projectId);
    const project = viewer && SEE.includes(viewer) ? await this.projects.find({ id: projectId }) : undefined;
    if (!project || !viewer) throw notFound();
    return { project, viewer };
  }

  private async deploymentFor(caller: AuthUser, deploymentId: string): Promise<{ deployment: DeploymentRow; viewer: Viewer }> {
    const deployment = isUuid(deploymentId) ? await this.repo.deployment(deploymentId) : undefined;
    if (!deployment) throw notFound('deployment');
    const { viewer } = await this.project(caller, deployment.projectId).catch(() => {
      throw notFound('deployment');
    });
    return { deployment, viewer };
  }

  /** Queues a deployment of a ref (the default branch when absent); a retry with the same Idempotency-Key gets the same one. */
  async deploy(caller: AuthUser, projectId: string, ref: string | undefined, claim?: IdempotencyClaim): Promise<DeploymentView> {
    const { project, viewer } = await this.project(caller, projectId);
    if (!TEAM.includes(viewer)) throw forbidden('deploying');
    if (project.repoUrl === '') throw new HttpError(409, 'conflict', 'the project has no repository URL; set repoUrl on the project first');
    return this.enqueue(caller, project, { ref: ref ?? null, rollbackOf: null, commitSha: null }, claim);
  }

  private async enqueue(
    caller: AuthUser,
    project: DeployableProject,
    d: { ref: string | null; rollbackOf: string | null; commitSha: string | null },
    claim?: IdempotencyClaim,
  ): Promise<DeploymentView> {
    await this.repo.ensureApp(project.id, project.slug);
    const values = { projectId: project.id, requestedBy: caller.id, ...d };
    const row = claim
      ? (await runOnce(this.db, claim, async (tx) => ({ status: 201, body: await this.repo.insertDeployment(values, tx) }))).body
      : await this.repo.insertDeployment(values);
    // The job id is the deployment's: a replayed request re-adds nothing.
    await this.queues.queue('deploy.build').add('build', { deploymentId: row.id }, { jobId: row.id });
    return deploymentView((await this.repo.deployment(row.id))!);
  }

  /** The app, its deployments newest first, and the ids of the kept releases (those a rollback may go back to). */
  async list(caller: AuthUser, projectId: string, max: number): Promise<{ app: AppView | null; data: DeploymentView[]; kept: string[] }> {
    const { project } = await this.project(caller, projectId);
    const app = await this.repo.app(project.id);
    const kept = (await this.repo.releases(project.id, this.settings.AULA_DEPLOY_KEEP_RELEASES)).map((r) => r.id);
    return { app: app ? appView(app) : null, data: (await this.repo.deployments(project.id, max)).map(deploymentView), kept };
  }

  /** One deployment. */
  async get(caller: AuthUser, deploymentId: string): Promise<DeploymentView> {
    return deploymentView((await this.deploymentFor(caller, deploymentId)).deployment);
  }

  /** A deployment's stored log lines after `since` (secret values were masked before they were stored). */
  async logs(caller: AuthUser, deploymentId: string, since: number, max: number): Promise<{ deployment: DeploymentView; data: LogLineView[] }> {
    const { deployment } = await this.deploymentFor(caller, deploymentId);
    const lines = await this.repo.logs(deployment.id, since, max);
    return { deployment: deploymentView(deployment), data: lines.map((l: LogLine) => ({ ...l, at: l.at.toISOString() })) };
  }

  /** Cancels a deployment that has not finished; a running build is stopped at once. 409 once it finished. */
  async cancel(caller: AuthUser, deploymentId: string): Promise<DeploymentView> {
    const { deployment } = await this.deploymentFor(caller, deploymentId);
    if (!(await this.repo.advance(deployment.id, 'cancelled', { reason: 'cancelled', finished: true }))) {
      throw new HttpError(409, 'conflict', `the deployment is already ${deployment.state}`);
    }
    await this.queues
      .queue('deploy.build')
      .remove(deployment.id)
      .catch(() => undefined);
    await this.queues.publish('deploy.events', { eventName: 'deployment.cancel', projectId: deployment.projectId, deploymentId: deployment.id });
    return deploymentView((await this.repo.deployment(deployment.id))!);
  }

  /** Stops, starts or restarts the app; staff may stop. */
  async control(caller: AuthUser, projectId: string, action: 'stop' | 'start' | 'restart'): Promise<AppView> {
    const { project, viewer } = await this.project(caller, projectId);
    if (!TEAM.includes(viewer) && action !== 'stop') throw forbidden(`${action}ing the app`);
    const app = await this.repo.app(project.id);
    if (!app?.liveDeploymentId) throw new HttpError(409, 'conflict', 'the project has no live release; deploy it first');
    await this.repo.setDesired(project.id, action === 'stop' ? 'stopped' : 'running');
    if (action === 'stop') await this.repo.setStatus(project.id, 'stopped', 'stopped by request');
    announceLiveChange(project.slug);
    await this.queues.publish('deploy.events', { eventName: 'app.control', projectId: project.id, action });
    return appView((await this.repo.app(project.id))!);
  }

  /** Deploys one of the last kept releases again, pinned to its commit. */
  async rollback(caller: AuthUser, projectId: string, deploymentId: string): Promise<DeploymentView> {
    const { project, viewer } = await this.project(caller, projectId);
    if (!TEAM.includes(viewer)) throw forbidden('rolling back');
    const kept = await this.repo.releases(project.id, this.settings.AULA_DEPLOY_KEEP_RELEASES);
    const target = kept.find((r) => r.id === deploymentId);
    if (!target) throw new HttpError(404, 'not_found', `no such release among the last ${this.settings.AULA_DEPLOY_KEEP_RELEASES} of this project`);
    if (target.state === 'live') throw new HttpError(409, 'conflict', 'that release is the one serving now');
    return this.enqueue(caller, project, { ref: target.ref, rollbackOf: target.id, commitSha: target.commitSha });
  }
}
