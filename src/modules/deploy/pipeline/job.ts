import fs from 'node:fs/promises';
import type pg from 'pg';
import type { Logger } from '../../../platform/logger.ts';
import type { ProjectLookup } from '../../projects/lookup.ts';
import type { DeploySettings } from '../config.ts';
import { announceLiveChange } from '../live-changes.ts';
import { LogSink } from '../logs.ts';
import type { ReleasePaths } from '../release.ts';
import type { AppRow, DeploymentRow, DeployRepository } from '../repository.ts';
import { imageOf, type PodmanRunner } from '../sandbox/podman.ts';
import { describeExit, type Runner, type SandboxProcess } from '../sandbox/runner.ts';
import { limitsOf, type Supervisor, uidOf } from '../supervisor.ts';
import { waitForHttp } from '../health.ts';
import { build } from './build.ts';
import { DeployError } from './exec.ts';
import { fetchSource } from './fetch.ts';

const LOCK_RETRY_MS = 250;

/** What the pipeline works with. */
export interface PipelineDeps {
  repo: DeployRepository;
  projects: ProjectLookup;
  runner: Runner;
  /** Builds and runs Dockerfile projects; undefined where containers are off or podman does not work. */
  containers: PodmanRunner | undefined;
  supervisor: Supervisor;
  paths: ReleasePaths;
  settings: DeploySettings;
  pool: pg.Pool;
  log: Logger;
}

class Cancelled extends Error {}

/**
 * One deployment from queued to live: fetch (20 %), build (40 %), start (60 %),
 * health check (80 %), switch (100 %). Any failure leaves the serving release as it was.
 */
export class DeployPipeline {
  constructor(private readonly d: PipelineDeps) {}

  /** Runs a deployment; the signal is aborted on cancel, timeout or shutdown. */
  async run(deploymentId: string, signal: AbortSignal): Promise<{ state: string }> {
    const deployment = await this.d.repo.deployment(deploymentId);
    if (!deployment || !['queued', 'fetching', 'building', 'starting', 'checking'].includes(deployment.state)) return { state: deployment?.state ?? 'gone' };
    const unlock = await this.lockProject(deployment.projectId, signal).catch((error: unknown) => {
      if (error instanceof Cancelled) return undefined;
      throw error;
    });
    if (!unlock) return { state: 'cancelled' };
    const runtimeSecrets = Object.values(await this.d.projects.envValues(deployment.projectId, 'runtime'));
    const buildEnv = await this.d.projects.envValues(deployment.projectId, 'build');
    const sink = new LogSink(this.d.repo, deploymentId, [...runtimeSecrets, ...Object.values(buildEnv)], this.d.settings.AULA_DEPLOY_LOG_LINES);
    let candidate: SandboxProcess | undefined;
    try {
      const project = await this.d.projects.find({ id: deployment.projectId });
      if (!project) throw new DeployError('the project no longer exists');
      const app = await this.d.repo.ensureApp(project.id, project.slug);
      await this.step(deploymentId, 'fetching', { progress: 0, started: true });
      await this.removeRelease(deploymentId);
      await fs.mkdir(this.d.paths.release(deploymentId), { recursive: true, mode: 0o700 });
      const sha = deployment.rollbackOf ? await this.copyRelease(deployment, sink) : await this.fetch(deployment, project.repoUrl, signal, sink);
      await this.step(deploymentId, 'building', { progress: 20, commitSha: sha });
      const meta = deployment.rollbackOf
        ? await this.rolledBackMeta(deploymentId)
        : await build({
            runner: this.d.runner,
            containers: this.d.containers,
            imageTag: imageOf(deploymentId),
            appDir: this.d.paths.app(deploymentId),
            scratchDir: this.d.paths.release(deploymentId),
            name: `build-${deploymentId}`,
            uid: uidOf(this.d.settings, app),
            env: { ...buildEnv, BASE_PATH: `/apps/${project.slug}`, NODE_ENV: 'production' },
            limits: limitsOf(this.d.settings),
            timeoutMs: this.d.settings.AULA_DEPLOY_BUILD_TIMEOUT_SECONDS * 1000,
            maxBytes: this.d.settings.AULA_DEPLOY_MAX_RELEASE_MB * 1024 * 1024,
            signal,
            onLine: (stream, line) => sink.write(stream, line),
          });
      await this.d.paths.writeMeta(deploymentId, meta);
      sink.write(
        'system',
        meta.kind === 'static'
          ? `a static site (served from ${meta.root})`
          : meta.kind === 'container'
            ? `a container (image ${meta.image}, started with its own command)`
            : `a Node.js app (started with ${meta.command === 'start' ? 'npm start' : `node ${meta.command}`})`,
      );
      await this.step(deploymentId, 'starting', { progress: 40, kind: meta.kind });
      if (meta.kind !== 'static') {
        candidate = await this.d.supervisor.launch(app, deploymentId, sink);
        await this.step(deploymentId, 'checking', { progress: 60 });
        await this.healthCheck(candidate, deploymentId, signal);
      } else {
        await this.step(deploymentId, 'checking', { progress: 60 });
      }
      await this.step(deploymentId, 'checking', { progress: 80 });
      await this.goLive(app, deploymentId, candidate, sink);
      candidate = undefined;
      sink.write('system', `live at /apps/${project.slug}/ (commit ${sha})`);
      return { state: 'live' };
    } catch (error) {
      await candidate?.kill();
      if (signal.aborted && signal.reason === 'shutdown') {
        // The worker puts the job back in the queue; the next run starts this deployment over.
        sink.write('system', 'interrupted by a server shutdown; it will run again');
        await this.removeRelease(deploymentId);
        await this.d.repo.advance(deploymentId, 'queued', { progress: 0 });
        throw error;
      }
      const state = await this.fail(deploymentId, error, signal, sink);
      return { state };
    } finally {
      await sink.flush();
      await unlock();
    }
  }

  private async fetch(deployment: DeploymentRow, repoUrl: string, signal: AbortSignal, sink: LogSink): Promise<string> {
    sink.write('system', `fetching ${deployment.ref ?? 'the default branch'}`);
    return fetchSource({
      repoUrl,
      ref: deployment.commitSha ?? deployment.ref,
      dest: this.d.paths.app(deployment.id),
      allowLocal: this.d.settings.AULA_DEPLOY_ALLOW_LOCAL_REPOS,
      timeoutMs: this.d.settings.AULA_DEPLOY_FETCH_TIMEOUT_SECONDS * 1000,
      signal,
      onLine: (line) => sink.write('build', line),
    });
  }

  /** A rollback reuses a kept release's files, pinned to its commit. */
  private async copyRelease(deployment: DeploymentRow, sink: LogSink): Promise<string> {
    const source = this.d.paths.release(deployment.rollbackOf!);
    sink.write('system', `rolling back to release ${deployment.rollbackOf} (commit ${deployment.commitSha})`);
    await fs.cp(source, this.d.paths.release(deployment.id), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true }).catch(() => {
      throw new DeployError('the files of that release are no longer kept; deploy its commit instead');
    });
    return deployment.commitSha ?? '';
  }

  private async healthCheck(candidate: SandboxProcess, deploymentId: string, signal: AbortSignal): Promise<void> {
    const seconds = this.d.settings.AULA_DEPLOY_START_TIMEOUT_SECONDS;
    let exitReason: string | undefined;
    const gone = candidate.exited.then((exit) => {
      exitReason = describeExit(exit, limitsOf(this.d.settings));
    });
    const ok = await waitForHttp(this.d.paths.socket(deploymentId), '/', seconds * 1000, gone, signal);
    if (signal.aborted) throw new Cancelled();
    if (!ok)
      throw new DeployError(
        `the app never answered on PORT within ${seconds} s${exitReason ? ` (it ${exitReason})` : ''}; it must listen on process.env.PORT (a unix socket path)`,
      );
  }

  private async goLive(app: AppRow, deploymentId: string, candidate: SandboxProcess | undefined, sink: LogSink): Promise<void> {
    const previous = await this.d.repo.switchLive(app.projectId, deploymentId);
    announceLiveChange(app.slug);
    if (candidate) this.d.supervisor.promote(app, deploymentId, candidate, sink);
    else await this.d.supervisor.stop(app.projectId);
    await this.d.repo.setDesired(app.projectId, 'running');
    await this.d.repo.setStatus(app.projectId, 'running', null, 0);
    if (previous) sink.write('system', `replaced release ${previous}`);
    await this.prune(app.projectId);
  }

  /** A rollback's meta: a container release gets the image under its own tag, so pruning the release it came from keeps it. */
  private async rolledBackMeta(deploymentId: string) {
    const meta = await this.d.paths.meta(deploymentId);
    if (meta.kind !== 'container') return meta;
    if (!this.d.containers) throw new DeployError('that release is a container, and this server no longer runs containers');
    await this.d.containers.tagImage(meta.image, imageOf(deploymentId)).catch(() => {
      throw new DeployError("that release's image is no longer kept; deploy its commit instead");
    });
    return { kind: 'container' as const, image: imageOf(deploymentId) };
  }

  /** Removes a release's files and, for a container release, its image. */
  private async removeRelease(deploymentId: string): Promise<void> {
    const meta = await this.d.paths.meta(deploymentId).catch(() => undefined);
    await this.d.paths.remove(deploymentId);
    if (meta?.kind === 'container') await this.d.containers?.removeImage(meta.image);
  }

  /** Keeps the newest releases' files for rollback; removes the others'. */
  private async prune(projectId: string): Promise<void> {
    const keep = new Set((await this.d.repo.releases(projectId, this.d.settings.AULA_DEPLOY_KEEP_RELEASES)).map((r) => r.id));
    for (const r of await this.d.repo.deployments(projectId, 1000)) {
      if (!keep.has(r.id) && r.state === 'retired') await this.removeRelease(r.id);
    }
  }

  private async fail(deploymentId: string, error: unknown, signal: AbortSignal, sink: LogSink): Promise<string> {
    await this.removeRelease(deploymentId);
    const current = await this.d.repo.deployment(deploymentId);
    if (current?.state === 'cancelled' || error instanceof Cancelled) {
      sink.write('system', 'cancelled');
      await this.d.repo.advance(deploymentId, 'cancelled', { reason: 'cancelled', finished: true });
      return 'cancelled';
    }
    const reason =
      error instanceof DeployError
        ? error.message
        : signal.aborted
          ? 'the deploy took longer than the queue allows and was stopped'
          : 'an internal error stopped the deploy';
    if (!(error instanceof DeployError)) this.d.log.error({ deploymentId, err: (error as Error).message }, 'deploy failed');
    sink.write('system', `failed: ${reason}`);
    await this.d.repo.advance(deploymentId, 'failed', { reason, finished: true });
    return 'failed';
  }

  private async step(
    deploymentId: string,
    state: 'fetching' | 'building' | 'starting' | 'checking',
    f: Parameters<DeployRepository['advance']>[2],
  ): Promise<void> {
    if (!(await this.d.repo.advance(deploymentId, state, f))) throw new Cancelled();
  }

  /** One deploy at a time per project, across processes: a session advisory lock, waited for until the signal aborts. */
  private async lockProject(projectId: string, signal: AbortSignal): Promise<() => Promise<void>> {
    const client = await this.d.pool.connect();
    const key = `deploy:${projectId}`;
    try {
      for (;;) {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key]);
        if (rows[0]!.ok) break;
        if (signal.aborted) throw new Cancelled();
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
      }
    } catch (error) {
      client.release();
      throw error;
    }
    return async () => {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
      client.release();
    };
  }
}
