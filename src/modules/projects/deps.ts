import type { Transaction } from 'kysely';
import type pg from 'pg';
import type { AuthUser } from '../../platform/auth/tokens.ts';
import { isUuid } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { UserLookup } from '../identity/lookup.ts';
import type { TaskLookup } from '../media/task-lookup.ts';
import { notFound, type ProjectAccess, type Viewer } from './access.ts';
import type { ProjectsSettings } from './config.ts';
import type { ProjectsDb, ProjectsKysely } from './db.ts';
import type { OutboxRelay } from './outbox.ts';
import type { DatabaseProvisioner } from './provisioner.ts';
import type { ProjectRepository, ProjectRow } from './repository.ts';
import type { SecretRepository } from './secret-repository.ts';
import type { Keyring } from './secrets.ts';

/** Everything the projects services use: repositories, the other modules' lookups, the keyring. */
export interface ProjectsDeps {
  db: ProjectsKysely;
  repo: ProjectRepository;
  secrets: SecretRepository;
  access: ProjectAccess;
  users: UserLookup;
  tasks: TaskLookup;
  keyring: Keyring;
  provisioner: DatabaseProvisioner;
  relay: OutboxRelay;
  settings: ProjectsSettings;
  /** Aula's own pool, only to close Aula's database to project roles. */
  aulaPool: pg.Pool;
  log: Logger;
}

/** The project with the caller's relation to it; 404 when it does not exist or the caller may not know it. */
export async function visibleProject(
  deps: ProjectsDeps,
  caller: AuthUser,
  by: { id: string } | { slug: string },
): Promise<{ project: ProjectRow; viewer: Viewer }> {
  if ('id' in by && !isUuid(by.id)) throw notFound();
  const project = await deps.repo.find(by);
  if (!project) throw notFound();
  const viewer = await deps.access.viewer(caller, project, await deps.repo.roleOf(project.id, caller.id));
  return { project, viewer };
}

/**
 * Runs a change in one transaction, then starts publishing the events it recorded.
 * The reply does not wait for the publish: the events are committed in the outbox,
 * and a publish that fails or is cut short by a shutdown is retried by the next flush.
 */
export async function change<T>(deps: ProjectsDeps, work: (tx: Transaction<ProjectsDb>) => Promise<T>): Promise<T> {
  const result = await deps.db.transaction().execute(work);
  void deps.relay.flush();
  return result;
}
