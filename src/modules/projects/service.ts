import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { runOnce, type IdempotencyClaim } from '../../platform/http/idempotency.ts';
import { isUuid } from '../../platform/ids.ts';
import { allow, RULES, type Viewer } from './access.ts';
import { change, visibleProject, type ProjectsDeps } from './deps.ts';
import { recordEvent } from './outbox.ts';
import type { ProjectRow } from './repository.ts';
import { checkRepoUrl, checkSlug, normaliseTags } from './rules.ts';
import { projectView, type ProjectView, type TeamMember } from './views.ts';

/** What a new project is made of. */
export interface NewProject {
  name: string;
  slug: string;
  description?: string | undefined;
  repoUrl?: string | undefined;
  courseId: string;
  demoTaskId?: string | undefined;
  tags?: string[] | undefined;
}

/** The changeable fields of a project (slug and course group never change). */
export interface ProjectPatch {
  name?: string | undefined;
  description?: string | undefined;
  repoUrl?: string | undefined;
  demoTaskId?: string | null | undefined;
  tags?: string[] | undefined;
}

/** A list request. */
export interface ListQuery {
  courseId?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  sort: 'recent' | 'rating';
  cursor?: string | undefined;
  max: number;
}

const badCursor = () => new HttpError(400, 'validation_failed', 'the cursor is not valid', [{ field: 'cursor', message: 'is not a cursor from this API' }]);

function encodeCursor(p: ProjectRow, sort: ListQuery['sort']): string {
  return Buffer.from(JSON.stringify({ v: sort === 'rating' ? p.ratingAvg : p.createdAt.toISOString(), id: p.id })).toString('base64url');
}

function decodeCursor(cursor: string, sort: ListQuery['sort']): { value: string | number; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { v?: unknown; id?: unknown };
    const okValue =
      sort === 'rating'
        ? typeof parsed.v === 'number' && Number.isFinite(parsed.v)
        : typeof parsed.v === 'string' && !Number.isNaN(Date.parse(parsed.v)) && /^\d{4}-/.test(parsed.v);
    if (okValue && typeof parsed.id === 'string' && isUuid(parsed.id)) return { value: parsed.v as string | number, id: parsed.id };
  } catch {
    // falls through to the 400
  }
  throw badCursor();
}

/** Projects: create, read, list, change and delete, with tags and the demo video. */
export class ProjectService {
  constructor(private readonly deps: ProjectsDeps) {}

  /** Creates a project with the caller as owner; 409 when the slug is taken. */
  async create(caller: AuthUser, input: NewProject, claim?: IdempotencyClaim): Promise<ProjectView> {
    checkSlug(input.slug);
    checkRepoUrl(input.repoUrl ?? '', this.deps.settings.AULA_DEPLOY_ALLOW_LOCAL_REPOS);
    const tags = normaliseTags(input.tags ?? []);
    const may = await this.deps.access.mayCreateIn(caller, input.courseId);
    if (may === 'unknown-course') throw new HttpError(404, 'not_found', 'course group not found');
    if (may === 'not-enrolled') throw new HttpError(403, 'forbidden', 'only students enrolled in the course group or its teacher create its projects');
    if (input.demoTaskId) await this.checkDemoTask(input.demoTaskId, [caller.id]);
    const insert = async (tx: Parameters<Parameters<typeof change>[1]>[0]) => {
      const projectId = await this.deps.repo.insert(tx, {
        slug: input.slug,
        name: input.name,
        description: input.description ?? '',
        repoUrl: input.repoUrl ?? '',
        courseId: input.courseId,
        demoTaskId: input.demoTaskId ?? null,
        ownerId: caller.id,
        tags,
      });
      await recordEvent(tx, 'project.created', projectId);
      return projectId;
    };
    try {
      let id: string;
      if (claim) {
        // The key is claimed in the project's own transaction; a retry gets the project made the first time.
        id = (await runOnce(this.deps.db, claim, async (tx) => ({ status: 201, body: { id: await insert(tx) } }))).body.id;
        void this.deps.relay.flush();
      } else {
        id = await change(this.deps, insert);
      }
      return this.get(caller, { id });
    } catch (error) {
      if ((error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'projects_slug_key') {
        throw new HttpError(409, 'conflict', 'this slug is already taken', [{ field: 'slug', message: 'is already taken' }]);
      }
      throw error;
    }
  }

  /** One project, shaped for the caller (with its stages and its demo video's links). */
  async get(caller: AuthUser, by: { id: string } | { slug: string }): Promise<ProjectView> {
    const { project, viewer } = await visibleProject(this.deps, caller, by);
    const [view] = await this.present(caller, [project], () => viewer, true);
    const demo = project.demoTaskId ? await this.deps.tasks.playableLinks(project.demoTaskId) : undefined;
    return { ...view!, demo: demo ?? null };
  }

  /** A page of the projects the caller may see, filtered and sorted. */
  async list(caller: AuthUser, q: ListQuery): Promise<{ data: ProjectView[]; nextCursor: string | null }> {
    let courseIds: string[] | undefined;
    let memberId: string | undefined;
    let outsideTeam: (p: ProjectRow) => Viewer = () => 'staff';
    if (q.courseId !== undefined) {
      const viewer = await this.deps.access.courseViewer(caller, q.courseId);
      courseIds = [q.courseId];
      outsideTeam = () => viewer;
    } else {
      const visible = await this.deps.access.visibleCourses(caller);
      if (visible) {
        courseIds = visible.all;
        memberId = caller.id;
        outsideTeam = (p) => (visible.teaches.has(p.courseId) ? 'staff' : 'classmate');
      }
    }
    const rows = await this.deps.repo.list({
      ...(courseIds ? { courseIds } : {}),
      ...(memberId ? { memberId } : {}),
      ...(q.tag !== undefined ? { tag: q.tag.trim().toLowerCase() } : {}),
      ...(q.q ? { q: q.q } : {}),
      sort: q.sort,
      ...(q.cursor ? { after: decodeCursor(q.cursor, q.sort) } : {}),
      limit: q.max + 1,
    });
    const page = rows.slice(0, q.max);
    const data = await this.present(caller, page, (p, role) => role ?? outsideTeam(p), false);
    return { data, nextCursor: rows.length > q.max ? encodeCursor(page[page.length - 1]!, q.sort) : null };
  }

  /** A course group's tags with counts; 404 unless the caller sees the course group. */
  async tags(caller: AuthUser, courseId: string): Promise<Array<{ tag: string; count: number }>> {
    await this.deps.access.courseViewer(caller, courseId);
    return (await this.deps.repo.tagCounts(courseId)).map((t) => ({ tag: t.tag, count: Number(t.count) }));
  }

  /** Changes name, description, repository, demo video or tags; the team only. */
  async update(caller: AuthUser, id: string, patch: ProjectPatch): Promise<ProjectView> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.edit, 'changing the project');
    if (patch.repoUrl !== undefined) checkRepoUrl(patch.repoUrl, this.deps.settings.AULA_DEPLOY_ALLOW_LOCAL_REPOS);
    const tags = patch.tags === undefined ? undefined : normaliseTags(patch.tags);
    if (patch.demoTaskId) {
      const team = (await this.deps.repo.teamsOf([project.id])).get(project.id)!.map((m) => m.userId);
      await this.checkDemoTask(patch.demoTaskId, team);
    }
    await change(this.deps, async (tx) => {
      await this.deps.repo.update(tx, project.id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.repoUrl !== undefined ? { repo_url: patch.repoUrl } : {}),
        ...(patch.demoTaskId !== undefined ? { demo_task_id: patch.demoTaskId } : {}),
      });
      if (tags) await this.deps.repo.replaceTags(tx, project.id, project.courseId, tags);
      await recordEvent(tx, 'project.updated', project.id);
    });
    return this.get(caller, { id });
  }

  /** Deletes the project; the owner only, and only once its database is dropped. */
  async delete(caller: AuthUser, id: string): Promise<void> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.delete, 'deleting the project');
    if (await this.deps.secrets.database(project.id)) {
      throw new HttpError(409, 'conflict', 'the project still has a database: drop it first (DELETE …/database)');
    }
    await change(this.deps, async (tx) => {
      await this.deps.repo.delete(tx, project.id);
      await recordEvent(tx, 'project.deleted', project.id);
    });
  }

  /** 404 unless the task is one of the team's; 409 unless it is processed. */
  private async checkDemoTask(taskId: string, team: string[]): Promise<void> {
    const task = await this.deps.tasks.ownerAndStatus(taskId);
    if (!task || !team.includes(task.ownerId))
      throw new HttpError(404, 'not_found', 'demo video task not found', [{ field: 'demoTaskId', message: 'is not a task of this team' }]);
    if (task.status !== 'processed')
      throw new HttpError(409, 'conflict', 'the demo video task is not processed yet', [{ field: 'demoTaskId', message: `is ${task.status}` }]);
  }

  /** Shapes rows for the caller, with team names, tags, the caller's own rating and (for one project) stages. */
  private async present(
    caller: AuthUser,
    rows: ProjectRow[],
    viewerOf: (p: ProjectRow, teamRole: TeamMember['role'] | undefined) => Viewer,
    withStages: boolean,
  ): Promise<ProjectView[]> {
    const ids = rows.map((p) => p.id);
    const [teams, tags, mine] = await Promise.all([this.deps.repo.teamsOf(ids), this.deps.repo.tagsOf(ids), this.deps.repo.ratingsBy(caller.id, ids)]);
    const users = await this.deps.users.byIds([...new Set([...teams.values()].flat().map((m) => m.userId))]);
    return Promise.all(
      rows.map(async (p) => {
        const team = teams.get(p.id)!.map((m) => ({ userId: m.userId, username: users.get(m.userId)?.username ?? '(deleted user)', role: m.role }));
        const viewer = viewerOf(p, team.find((m) => m.userId === caller.id)?.role);
        const stages = withStages ? await this.deps.repo.stages(p.id) : undefined;
        return projectView(p, viewer, { team, tags: tags.get(p.id)!, mine: mine.get(p.id) ?? null, ...(stages ? { stages } : {}) });
      }),
    );
  }
}
