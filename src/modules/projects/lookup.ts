import type { AuthUser } from '../../platform/auth/tokens.ts';
import { isUuid } from '../../platform/ids.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { Viewer } from './access.ts';
import type { EnvScope } from './db.ts';
import { createProjects } from './index.ts';

/** What the deploy module needs to know about a project. */
export interface DeployableProject {
  id: string;
  slug: string;
  repoUrl: string;
  courseId: string;
}

/** What other modules may ask projects (the deploy module uses it; nothing else crosses). */
export interface ProjectLookup {
  /** The project by id or slug, or undefined. */
  find(by: { id: string } | { slug: string }): Promise<DeployableProject | undefined>;
  /** How the caller relates to the project (team role, staff, classmate), or undefined when they may not know it. */
  viewer(caller: AuthUser, projectId: string): Promise<Viewer | undefined>;
  /** The decrypted environment variables of one scope (never for an API response). */
  envValues(projectId: string, scope: EnvScope): Promise<Record<string, string>>;
  /** The connection URL of the project's own database when it is ready (it holds the password). */
  databaseUrl(projectId: string): Promise<string | undefined>;
}

/** The typed interface projects exports over one process's context. */
export function projectLookup(ctx: ModuleContext): ProjectLookup {
  const { deps, secrets } = createProjects(ctx);
  return {
    async find(by) {
      if ('id' in by && !isUuid(by.id)) return undefined;
      const p = await deps.repo.find(by);
      return p && { id: p.id, slug: p.slug, repoUrl: p.repoUrl, courseId: p.courseId };
    },
    async viewer(caller, projectId) {
      if (!isUuid(projectId)) return undefined;
      const project = await deps.repo.find({ id: projectId });
      if (!project) return undefined;
      return deps.access.viewer(caller, project, await deps.repo.roleOf(project.id, caller.id)).catch(() => undefined);
    },
    async envValues(projectId, scope) {
      return Object.fromEntries((await secrets.envValues(projectId)).filter((v) => v.scope === scope).map((v) => [v.key, v.value]));
    },
    async databaseUrl(projectId) {
      return isUuid(projectId) ? secrets.databaseUrlOf(projectId) : undefined;
    },
  };
}
