import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../platform/logger.ts';
import type { ProjectLookup } from '../projects/lookup.ts';
import type { DeploySettings } from './config.ts';
import { LogSink } from './logs.ts';
import { sizeOf } from './pipeline/detect.ts';
import { DeployError } from './pipeline/exec.ts';
import { NPM_CLI, type ReleasePaths, SANDBOX_SOCKET } from './release.ts';
import type { AppRow, DeployRepository } from './repository.ts';
import { describeExit, type Limits, type Runner, type SandboxProcess, type Usage } from './sandbox/runner.ts';

const CRASH_WINDOW_MS = 10 * 60_000;
/** How often a running app's directory is measured against AULA_DEPLOY_MAX_RELEASE_MB. */
const DISK_CHECK_MS = 30_000;
const MAX_RESTARTS = 5;
const MAX_BACKOFF_MS = 60_000;
/** How long a replaced release keeps running for requests already under way. */
const DRAIN_MS = 5000;

/** One app's supervised process. */
interface Running {
  deploymentId: string;
  slug: string;
  process: SandboxProcess;
  sink: LogSink;
  stopping: boolean;
  crashes: number[];
  timer?: NodeJS.Timeout;
  /** The last usage sample, for the CPU share between two samples. */
  last?: { cpuSeconds: number; at: number };
  /** When its files were last measured, and whether they outgrew the release limit. */
  diskCheckedAt?: number;
  diskExceeded?: boolean;
}

/** The limits every app and build gets from the settings. */
export function limitsOf(s: DeploySettings): Limits {
  return { memoryMb: s.AULA_APP_MEMORY_MB, cpus: s.AULA_APP_CPUS, pids: s.AULA_APP_PIDS, tmpMb: s.AULA_APP_TMP_MB };
}

/** The sandbox uid of an app. */
export const uidOf = (s: DeploySettings, app: Pick<AppRow, 'uidOffset'>): number => s.AULA_APP_UID_BASE + app.uidOffset;

/**
 * Runs the apps of this process: starts a release in the sandbox, restarts it
 * when it crashes (exponential backoff; `crashed` after 5 restarts in 10 minutes),
 * stops it, and brings live apps back when the process starts.
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();
  /** Replaced releases finishing their in-flight requests. */
  private readonly draining = new Set<Running>();
  private closed = false;

  constructor(
    private readonly repo: DeployRepository,
    private readonly projects: ProjectLookup,
    private readonly runner: Runner,
    /** Runs container releases; undefined where containers are off or podman does not work. */
    private readonly containers: Runner | undefined,
    private readonly paths: ReleasePaths,
    private readonly settings: DeploySettings,
    private readonly log: Logger,
  ) {}

  /** Starts a Node.js release in the sandbox (a container release in its container), not yet supervised (the pipeline health-checks it first). */
  async launch(app: AppRow, deploymentId: string, sink: LogSink): Promise<SandboxProcess> {
    const meta = await this.paths.meta(deploymentId);
    if (meta.kind === 'static') throw new Error('a static site has no process');
    const runner = meta.kind === 'container' ? this.containers : this.runner;
    if (!runner) throw new DeployError('this release is a container, and this server does not run containers (AULA_DEPLOY_CONTAINERS, podman)');
    const socketDir = this.paths.socketDir(deploymentId);
    fs.rmSync(socketDir, { recursive: true, force: true });
    fs.mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    fs.chownSync(socketDir, uidOf(this.settings, app), uidOf(this.settings, app));
    const env = await this.projects.envValues(app.projectId, 'runtime');
    const databaseUrl = await this.projects.databaseUrl(app.projectId);
    const database = databaseUrl ? sandboxDatabase(databaseUrl, this.settings.AULA_DEPLOY_PG_SOCKET_DIR) : undefined;
    const command =
      meta.kind === 'container' ? [] : meta.command === 'start' ? [process.execPath, NPM_CLI, 'start', '--silent'] : [process.execPath, meta.command];
    return runner.start({
      // A fresh name per launch: a process still being killed never shares its cgroup with the next one.
      name: `app-${deploymentId}-${randomBytes(3).toString('hex')}`,
      uid: uidOf(this.settings, app),
      workDir: this.paths.app(deploymentId),
      socketDir,
      readOnly: database?.socket ? [database.socket] : [],
      command,
      ...(meta.kind === 'container' ? { image: meta.image } : {}),
      env: {
        ...env,
        // A container keeps its image's own PATH and HOME.
        ...(meta.kind === 'node' ? { HOME: '/tmp', PATH: '/usr/local/bin:/usr/bin:/bin' } : {}),
        NODE_ENV: 'production',
        ...(database ? { DATABASE_URL: database.url } : {}),
        BASE_PATH: `/apps/${app.slug}`,
        PORT: SANDBOX_SOCKET,
      },
      limits: limitsOf(this.settings),
      onLine: (stream, line) => sink.write(stream, line),
    });
  }

  /** Makes a started, healthy process the app's supervised one; the one it replaces stops after a drain. */
  promote(app: AppRow, deploymentId: string, process: SandboxProcess, sink: LogSink): void {
    const previous = this.running.get(app.projectId);
    if (previous) {
      previous.stopping = true;
      clearTimeout(previous.timer);
      this.draining.add(previous);
      previous.timer = setTimeout(() => void this.retire(previous), DRAIN_MS);
    }
    const entry: Running = {
      deploymentId,
      slug: app.slug,
      process,
      sink,
      stopping: false,
      crashes: previous?.deploymentId === deploymentId ? previous.crashes : [],
    };
    this.running.set(app.projectId, entry);
    this.watch(app, entry);
  }

  /** Starts the app's live release, unless it runs already. */
  async start(app: AppRow): Promise<void> {
    if (this.closed || !app.liveDeploymentId || this.running.has(app.projectId)) return;
    const meta = await this.paths.meta(app.liveDeploymentId).catch(() => undefined);
    if (!meta) {
      await this.repo.setStatus(app.projectId, 'crashed', 'the release files are missing; redeploy');
      return;
    }
    if (meta.kind === 'static') {
      await this.repo.setStatus(app.projectId, 'running', null, 0);
      return;
    }
    const sink = new LogSink(
      this.repo,
      app.liveDeploymentId,
      Object.values(await this.projects.envValues(app.projectId, 'runtime')),
      this.settings.AULA_DEPLOY_LOG_LINES,
    );
    await this.repo.setStatus(app.projectId, 'starting', null);
    const process = await this.launch(app, app.liveDeploymentId, sink);
    if (this.closed) {
      await process.kill();
      return;
    }
    this.promote(app, app.liveDeploymentId, process, sink);
    await this.repo.setStatus(app.projectId, 'running', null);
  }

  /** Stops the app's process (if any) and waits until it is gone. */
  async stop(projectId: string): Promise<void> {
    const entry = this.running.get(projectId);
    if (!entry) return;
    entry.stopping = true;
    clearTimeout(entry.timer);
    this.running.delete(projectId);
    await entry.process.kill();
    await entry.sink.flush();
    await this.repo.setUsage(projectId, null);
  }

  /** Starts every app that should run and has a live release (after a restart of Aula). */
  async resume(): Promise<void> {
    for (const app of await this.repo.appsToRun()) {
      await this.start(app).catch((error: Error) => this.log.error({ projectId: app.projectId, err: error.message }, 'an app could not be started'));
    }
  }

  /** Current resource use per app slug, with its restart count. */
  async usage(): Promise<Array<{ slug: string; usage: Usage; restarts: number }>> {
    return Promise.all([...this.running.values()].map(async (r) => ({ slug: r.slug, usage: await r.process.usage(), restarts: r.crashes.length })));
  }

  /** Stores each running app's memory and CPU share since the last sample, for the API. */
  async sample(): Promise<void> {
    for (const [projectId, entry] of this.running) {
      const usage = await entry.process.usage();
      const now = Date.now();
      const cpuPercent = entry.last ? (100 * (usage.cpuSeconds - entry.last.cpuSeconds)) / ((now - entry.last.at) / 1000) : 0;
      entry.last = { cpuSeconds: usage.cpuSeconds, at: now };
      await this.repo.setUsage(projectId, { memoryBytes: usage.memoryBytes, cpuPercent: Math.max(0, Math.round(cpuPercent * 10) / 10) });
      if (now - (entry.diskCheckedAt ?? 0) >= DISK_CHECK_MS) await this.checkDisk(entry, now);
    }
  }

  /** Kills an app whose files (its only writable place besides /tmp) grew past the release limit; the crash policy takes over. */
  private async checkDisk(entry: Running, now: number): Promise<void> {
    entry.diskCheckedAt = now;
    if (sizeOf(this.paths.app(entry.deploymentId)) <= this.settings.AULA_DEPLOY_MAX_RELEASE_MB * 1024 * 1024) return;
    entry.diskExceeded = true;
    await entry.process.kill();
  }

  /** Stops every app (the process is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
    await Promise.all([...this.draining].map((entry) => this.retire(entry)));
  }

  private async retire(entry: Running): Promise<void> {
    clearTimeout(entry.timer);
    this.draining.delete(entry);
    await entry.process.kill();
    await entry.sink.flush();
  }

  private watch(app: AppRow, entry: Running): void {
    void entry.process.exited.then(async (exit) => {
      if (entry.stopping || this.running.get(app.projectId) !== entry) return;
      const reason = entry.diskExceeded
        ? `the app was killed for storing more than ${this.settings.AULA_DEPLOY_MAX_RELEASE_MB} MB in its directory`
        : `the app ${describeExit(exit, limitsOf(this.settings))}`;
      entry.diskExceeded = false;
      entry.sink.write('system', reason);
      const now = Date.now();
      entry.crashes = [...entry.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
      if (entry.crashes.length > MAX_RESTARTS) {
        this.running.delete(app.projectId);
        entry.sink.write('system', `crashed: restarted ${MAX_RESTARTS} times in 10 minutes; start it again once it is fixed`);
        await entry.sink.flush();
        await this.repo.setStatus(app.projectId, 'crashed', reason, entry.crashes.length - 1);
        return;
      }
      const delay = Math.min(this.settings.AULA_DEPLOY_RESTART_BACKOFF_MS * 2 ** (entry.crashes.length - 1), MAX_BACKOFF_MS);
      await this.repo.setStatus(app.projectId, 'starting', reason, entry.crashes.length);
      entry.timer = setTimeout(() => void this.relaunch(app, entry, reason), delay);
    });
  }

  /** Starts the app again after a crash; the crash's reason stays on the app until a deploy or a start clears it. */
  private async relaunch(app: AppRow, entry: Running, reason: string): Promise<void> {
    if (entry.stopping || this.closed || this.running.get(app.projectId) !== entry) return;
    try {
      const process = await this.launch(app, entry.deploymentId, entry.sink);
      // Stopped (or the supervisor closed) while it was starting: it must not outlive that.
      if (entry.stopping || this.closed) {
        await process.kill();
        return;
      }
      entry.process = process;
      this.watch(app, entry);
      await this.repo.setStatus(app.projectId, 'running', reason, entry.crashes.length);
    } catch (error) {
      this.running.delete(app.projectId);
      this.log.error({ projectId: app.projectId, err: (error as Error).message }, 'an app could not be restarted');
      await this.repo.setStatus(app.projectId, 'crashed', 'the app could not be restarted; deploy it again');
    }
  }
}

const SOCKET_DIRS = ['/var/run/postgresql', '/run/postgresql', '/tmp'];
const SANDBOX_PG_DIR = '/run/postgresql';

/**
 * The project database as the sandbox reaches it: the server's unix socket file
 * bound at /run/postgresql inside and the URL pointed there (the sandbox has no
 * network); the URL unchanged when no socket of that port is found.
 */
export function sandboxDatabase(url: string, socketDir: string | undefined): { url: string; socket?: { host: string; inside: string } } {
  const u = new URL(url);
  const file = `.s.PGSQL.${u.port || '5432'}`;
  const dir = (socketDir ? [socketDir] : SOCKET_DIRS).find((d) => fs.existsSync(path.join(d, file)));
  if (!dir) return { url };
  u.searchParams.set('host', SANDBOX_PG_DIR);
  u.hostname = 'localhost';
  return { url: u.toString(), socket: { host: path.join(dir, file), inside: path.join(SANDBOX_PG_DIR, file) } };
}
