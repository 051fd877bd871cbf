import type { ModuleContext } from '../../platform/module.ts';
import { projectLookup } from '../projects/lookup.ts';
import { deploySettings } from './config.ts';
import { createKysely } from '../../platform/db/pool.ts';
import type { DeployDb } from './db.ts';
import { EdgeWriter, edgeFiles } from './edge.ts';
import { announceLiveChange, onLiveChange } from './live-changes.ts';
import { addAppUsageSource } from './metrics.ts';
import { DeployPipeline } from './pipeline/job.ts';
import { ReleasePaths } from './release.ts';
import { DeployRepository } from './repository.ts';
import { BubblewrapRunner } from './sandbox/bubblewrap.ts';
import { imageOf, PodmanRunner } from './sandbox/podman.ts';
import { Supervisor } from './supervisor.ts';

/** The part of deploy that runs builds and apps: one per process that works the `deploy.build` queue. */
export interface DeployEngine {
  pipeline: DeployPipeline;
  supervisor: Supervisor;
  /** Runs one deployment, cancellable through a `deployment.cancel` event. */
  run(deploymentId: string, signal: AbortSignal): Promise<{ state: string }>;
  close(): Promise<void>;
}

const SAMPLE_MS = 2000;
const engines = new WeakMap<ModuleContext, Promise<DeployEngine>>();

/** The process's engine, created on first use: it checks the runner, listens for control events and brings live apps back. */
export function engineOf(ctx: ModuleContext): Promise<DeployEngine> {
  let engine = engines.get(ctx);
  if (!engine) {
    engine = createEngine(ctx);
    engines.set(ctx, engine);
  }
  return engine;
}

/** The process's engine if one was created (for shutdown and metrics). */
export function existingEngine(ctx: ModuleContext): Promise<DeployEngine> | undefined {
  return engines.get(ctx);
}

/** Podman for Dockerfile projects, when the operator has not turned containers off and podman works here; otherwise undefined (and why is logged). */
async function containerRunner(setting: 'auto' | 'off', ctx: ModuleContext): Promise<PodmanRunner | undefined> {
  if (setting === 'off' || !(await PodmanRunner.available())) return undefined;
  const podman = new PodmanRunner(ctx.config.dataDir);
  try {
    await podman.check();
    return podman;
  } catch (error) {
    ctx.log.warn({ err: (error as Error).message }, 'podman is installed but does not work: Dockerfile projects will be refused');
    return undefined;
  }
}

async function createEngine(ctx: ModuleContext): Promise<DeployEngine> {
  const settings = deploySettings.get(ctx.config);
  const repo = new DeployRepository(createKysely<DeployDb>(ctx.pool));
  const runner = new BubblewrapRunner();
  await runner.check();
  const containers = await containerRunner(settings.AULA_DEPLOY_CONTAINERS, ctx);
  const projects = projectLookup(ctx);
  const paths = new ReleasePaths(ctx.config.dataDir);
  const supervisor = new Supervisor(repo, projects, runner, containers, paths, settings, ctx.log);
  const pipeline = new DeployPipeline({ repo, projects, runner, containers, supervisor, paths, settings, pool: ctx.pool, log: ctx.log });
  // The front proxy's routes (HAProxy in `aula cluster`) follow every change this process makes, and the database every few seconds.
  const edge = new EdgeWriter(edgeFiles(ctx.config.dataDir));
  let edgeWrite = Promise.resolve();
  const refreshEdge = () => {
    edgeWrite = edgeWrite
      .then(async () => {
        const releases = await repo.liveProcessReleases();
        await edge.write(releases.map((r) => ({ slug: r.slug, slot: r.uidOffset, socket: paths.socket(r.deploymentId), running: r.desired === 'running' })));
      })
      .catch((error: Error) => ctx.log.warn({ err: error.message }, 'writing the edge routes failed'));
    return edgeWrite;
  };
  const stopEdge = onLiveChange(() => void refreshEdge());
  const cancels = new Map<string, AbortController>();
  // Control requests of one app run one after the other, in the order they came.
  const controls = new Map<string, Promise<void>>();
  const unsubscribe = await ctx.queues.subscribe('deploy.events', (event) => {
    if (event.eventName === 'deployment.cancel' && event.deploymentId) cancels.get(event.deploymentId)?.abort();
    if (event.eventName !== 'app.control') return;
    const previous = controls.get(event.projectId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        if (event.action !== 'start') await supervisor.stop(event.projectId);
        if (event.action !== 'stop') {
          const app = await repo.app(event.projectId);
          if (app?.desired === 'running') await supervisor.start(app);
        }
      })
      .catch((error: Error) => ctx.log.error({ projectId: event.projectId, err: error.message }, 'an app control request failed'))
      .then(refreshEdge);
    controls.set(event.projectId, next);
    void next.finally(() => controls.get(event.projectId) === next && controls.delete(event.projectId));
  });
  // A deleted project's app stops and its releases go; checked at start too, for deletions while no engine listened.
  const forget = async (projectId: string) => {
    const app = await repo.app(projectId);
    await supervisor.stop(projectId);
    for (const id of await repo.forgetProject(projectId)) {
      await paths.remove(id);
      await containers?.removeImage(imageOf(id));
    }
    if (app) announceLiveChange(app.slug);
  };
  const unsubscribeProjects = await ctx.queues.subscribe('projects.events', (event) => {
    if (event.eventName === 'project.deleted')
      void forget(event.projectId).catch((error: Error) =>
        ctx.log.error({ projectId: event.projectId, err: error.message }, "removing a deleted project's app failed"),
      );
  });
  for (const app of await repo.apps()) if (!(await projects.find({ id: app.projectId }))) await forget(app.projectId);
  await supervisor.resume();
  const stopMetrics = addAppUsageSource(() => supervisor.usage());
  await refreshEdge();
  const sampling = setInterval(() => {
    void supervisor.sample().catch((error: Error) => ctx.log.warn({ err: error.message }, 'sampling app usage failed'));
    void refreshEdge();
  }, SAMPLE_MS);
  return {
    pipeline,
    supervisor,
    async run(deploymentId, signal) {
      const cancel = new AbortController();
      cancels.set(deploymentId, cancel);
      try {
        return await pipeline.run(deploymentId, AbortSignal.any([signal, cancel.signal]));
      } finally {
        cancels.delete(deploymentId);
      }
    },
    async close() {
      await unsubscribe();
      await unsubscribeProjects();
      stopMetrics();
      stopEdge();
      clearInterval(sampling);
      for (const c of cancels.values()) c.abort();
      await supervisor.close();
    },
  };
}
