import { fileURLToPath } from 'node:url';
import { createKysely } from '../../platform/db/pool.ts';
import type { AulaModule, ModuleContext } from '../../platform/module.ts';
import { enrolmentLookup } from '../academic/enrolment-lookup.ts';
import { userLookup } from '../identity/lookup.ts';
import { taskLookup } from '../media/task-lookup.ts';
import { ProjectAccess } from './access.ts';
import { projectsSettings } from './config.ts';
import type { ProjectsDb } from './db.ts';
import type { ProjectsDeps } from './deps.ts';
import { projectsEvents } from './events.ts';
import { OutboxRelay } from './outbox.ts';
import { DatabaseProvisioner } from './provisioner.ts';
import { ProjectRepository } from './repository.ts';
import { registerProjectRoutes, type ProjectsServices } from './routes.ts';
import { SecretRepository } from './secret-repository.ts';
import { SecretService } from './secret-service.ts';
import { loadKeyring } from './secrets.ts';
import { ProjectService } from './service.ts';
import { StageService } from './stage-service.ts';
import { TeamService } from './team-service.ts';

/** Wires the projects services over one process's context. */
export function createProjects(ctx: ModuleContext): ProjectsServices & { deps: ProjectsDeps } {
  const settings = projectsSettings.get(ctx.config);
  const db = createKysely<ProjectsDb>(ctx.pool);
  const deps: ProjectsDeps = {
    db,
    repo: new ProjectRepository(db),
    secrets: new SecretRepository(db),
    access: new ProjectAccess(enrolmentLookup(ctx)),
    users: userLookup(ctx),
    tasks: taskLookup(ctx),
    keyring: loadKeyring({ current: settings.AULA_SECRETS_KEY, previous: settings.AULA_SECRETS_KEY_PREVIOUS }, ctx.config.dataDir),
    provisioner: new DatabaseProvisioner({
      adminUrl: settings.AULA_PROJECT_DATABASE_ADMIN_URL ?? ctx.databaseUrl,
      connectionLimit: settings.AULA_PROJECT_DB_CONNECTION_LIMIT,
    }),
    relay: new OutboxRelay(db, ctx.queues, ctx.log),
    settings,
    aulaPool: ctx.pool,
    log: ctx.log,
  };
  return { deps, projects: new ProjectService(deps), team: new TeamService(deps), stages: new StageService(deps), secrets: new SecretService(deps) };
}

/** Projects: a team's course project — repository, team, stages, tags, ratings, encrypted env vars, its own database. */
export const projectsModule: AulaModule = {
  name: 'projects',
  events: projectsEvents,
  migrations: { schema: 'projects', dir: fileURLToPath(new URL('./migrations', import.meta.url)) },
  async routes(app, ctx) {
    const services = createProjects(ctx);
    // Lets a publish that is under way finish before the platform closes the queue backend.
    app.addHook('preClose', async () => services.deps.relay.idle());
    await app.register(async (scope) => registerProjectRoutes(scope, ctx.auth, services, ctx.jwtSecret));
  },
  async onStart(ctx) {
    // Publishes events a crash left in the outbox between commit and publish; also creates the secrets key on first start.
    await createProjects(ctx).deps.relay.flush();
  },
  commands: {
    async 'rotate-secrets-key'(ctx) {
      const { envVars, databases } = await createProjects(ctx).secrets.rotateToCurrentKey();
      return `re-encrypted ${envVars} environment variables and ${databases} database passwords under the current secrets key`;
    },
  },
};
