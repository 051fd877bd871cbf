import { sql, type Transaction } from 'kysely';
import type { MemberRole, ProjectsDb, ProjectsKysely, StageStatus } from './db.ts';

/** A project row as the service uses it. */
export interface ProjectRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  repoUrl: string;
  courseId: string;
  demoTaskId: string | null;
  ratingCount: number;
  ratingSum: number;
  ratingAvg: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A stage row. */
export interface StageRow {
  id: string;
  position: number;
  title: string;
  dueAt: Date | null;
  status: StageStatus;
  submission: { commitSha: string | null; link: string | null; note: string | null; submittedAt: Date | null; submittedBy: string | null };
  feedback: string | null;
  reviewedAt: Date | null;
  reviewedBy: string | null;
}

/** Which projects a list may show, and in what order. */
export interface ListFilter {
  /** Only these courses (undefined: no course restriction, for admins). */
  courseIds?: string[];
  /** Also projects whose team includes this user. */
  memberId?: string;
  tag?: string;
  q?: string;
  sort: 'recent' | 'rating';
  after?: { value: string | number; id: string };
  limit: number;
}

/** Kysely over the projects schema, or one of its transactions. */
type Db = ProjectsKysely | Transaction<ProjectsDb>;

const PROJECT_COLUMNS = [
  'p.id',
  'p.slug',
  'p.name',
  'p.description',
  'p.repo_url as repoUrl',
  'p.course_id as courseId',
  'p.demo_task_id as demoTaskId',
  'p.rating_count as ratingCount',
  'p.rating_sum as ratingSum',
  'p.rating_avg as ratingAvg',
  'p.created_at as createdAt',
  'p.updated_at as updatedAt',
] as const;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The queries on the projects, members, tags, ratings and stages tables. */
export class ProjectRepository {
  constructor(readonly db: ProjectsKysely) {}

  /** One project by id, or by slug. `lock` takes a row lock inside a transaction. */
  async find(by: { id: string } | { slug: string }, db: Db = this.db, lock = false): Promise<ProjectRow | undefined> {
    let query = db.selectFrom('projects.projects as p').select(PROJECT_COLUMNS);
    query = 'id' in by ? query.where('p.id', '=', by.id) : query.where('p.slug', '=', by.slug);
    return (lock ? query.forUpdate() : query).executeTakeFirst();
  }

  /** Inserts a project with its owner and tags; a taken slug raises the unique violation. */
  async insert(
    tx: Transaction<ProjectsDb>,
    p: { slug: string; name: string; description: string; repoUrl: string; courseId: string; demoTaskId: string | null; ownerId: string; tags: string[] },
  ): Promise<string> {
    const { id } = await tx
      .insertInto('projects.projects')
      .values({ slug: p.slug, name: p.name, description: p.description, repo_url: p.repoUrl, course_id: p.courseId, demo_task_id: p.demoTaskId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.insertInto('projects.members').values({ project_id: id, user_id: p.ownerId, role: 'owner' }).execute();
    await this.replaceTags(tx, id, p.courseId, p.tags);
    return id;
  }

  /** Changes the given fields and bumps updated_at. */
  async update(
    tx: Transaction<ProjectsDb>,
    id: string,
    fields: { name?: string; description?: string; repo_url?: string; demo_task_id?: string | null },
  ): Promise<void> {
    await tx
      .updateTable('projects.projects')
      .set({ ...fields, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }

  async delete(tx: Transaction<ProjectsDb>, id: string): Promise<void> {
    await tx.deleteFrom('projects.projects').where('id', '=', id).execute();
  }

  async replaceTags(tx: Transaction<ProjectsDb>, projectId: string, courseId: string, tags: string[]): Promise<void> {
    await tx.deleteFrom('projects.tags').where('project_id', '=', projectId).execute();
    if (tags.length > 0)
      await tx
        .insertInto('projects.tags')
        .values(tags.map((tag) => ({ project_id: projectId, course_id: courseId, tag })))
        .execute();
  }

  /** Tags of these projects, by project id, sorted. */
  async tagsOf(projectIds: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(projectIds.map((id) => [id, []]));
    if (projectIds.length === 0) return result;
    const rows = await this.db.selectFrom('projects.tags').select(['project_id', 'tag']).where('project_id', 'in', projectIds).orderBy('tag').execute();
    for (const row of rows) result.get(row.project_id)!.push(row.tag);
    return result;
  }

  /** A course's tags with the number of projects carrying each, most used first. */
  async tagCounts(courseId: string): Promise<Array<{ tag: string; count: number }>> {
    return this.db
      .selectFrom('projects.tags')
      .select(['tag', (eb) => eb.fn.countAll<number>().as('count')])
      .where('course_id', '=', courseId)
      .groupBy('tag')
      .orderBy('count', 'desc')
      .orderBy('tag')
      .execute();
  }

  /** A page of projects matching the filter, in (sort key, id) order, after the cursor. */
  async list(f: ListFilter): Promise<ProjectRow[]> {
    let query = this.db.selectFrom('projects.projects as p').select(PROJECT_COLUMNS);
    if (f.courseIds !== undefined || f.memberId !== undefined) {
      const courseIds = f.courseIds ?? [];
      const memberId = f.memberId;
      query = query.where((eb) =>
        eb.or([
          ...(courseIds.length > 0 ? [eb('p.course_id', 'in', courseIds)] : []),
          ...(memberId ? [eb('p.id', 'in', eb.selectFrom('projects.members').select('project_id').where('user_id', '=', memberId))] : []),
          ...(courseIds.length === 0 && !memberId ? [eb.val(false)] : []),
        ]),
      );
    }
    if (f.tag !== undefined) {
      const tag = f.tag;
      query = query.where((eb) =>
        eb.exists(eb.selectFrom('projects.tags as t').select('t.tag').whereRef('t.project_id', '=', 'p.id').where('t.tag', '=', tag)),
      );
    }
    if (f.q) {
      const pattern = likePattern(f.q);
      query = query.where((eb) => eb.or([eb('p.name', 'ilike', pattern), eb('p.slug', 'ilike', pattern), eb('p.description', 'ilike', pattern)]));
    }
    const after = f.after;
    if (f.sort === 'rating') {
      if (after) query = query.where((eb) => eb(eb.refTuple('p.rating_avg', 'p.id'), '<', eb.tuple(Number(after.value), after.id)));
      query = query.orderBy('p.rating_avg', 'desc').orderBy('p.id', 'desc');
    } else {
      if (after) query = query.where((eb) => eb(eb.refTuple('p.created_at', 'p.id'), '<', eb.tuple(new Date(String(after.value)), after.id)));
      query = query.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc');
    }
    return query.limit(f.limit).execute();
  }

  /** The team of each project, owner first. */
  async teamsOf(projectIds: string[]): Promise<Map<string, Array<{ userId: string; role: MemberRole }>>> {
    const result = new Map<string, Array<{ userId: string; role: MemberRole }>>(projectIds.map((id) => [id, []]));
    if (projectIds.length === 0) return result;
    const rows = await this.db
      .selectFrom('projects.members')
      .select(['project_id', 'user_id', 'role'])
      .where('project_id', 'in', projectIds)
      .orderBy(sql`role = 'owner'`, 'desc')
      .orderBy('added_at')
      .orderBy('user_id')
      .execute();
    for (const row of rows) result.get(row.project_id)!.push({ userId: row.user_id, role: row.role });
    return result;
  }

  /** The caller's role on the project's team, if any. */
  async roleOf(projectId: string, userId: string): Promise<MemberRole | undefined> {
    const row = await this.db
      .selectFrom('projects.members')
      .select('role')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role;
  }

  /** Adds members (existing ones stay as they are); returns the ids actually added. */
  async addMembers(tx: Transaction<ProjectsDb>, projectId: string, userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await tx
      .insertInto('projects.members')
      .values(userIds.map((userId) => ({ project_id: projectId, user_id: userId, role: 'member' as const })))
      .onConflict((oc) => oc.doNothing())
      .returning('user_id')
      .execute();
    return rows.map((row) => row.user_id);
  }

  async removeMember(tx: Transaction<ProjectsDb>, projectId: string, userId: string): Promise<void> {
    await tx.deleteFrom('projects.members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
  }

  /** Makes `newOwner` the owner and the previous owner a member (one owner at any time). */
  async transferOwnership(tx: Transaction<ProjectsDb>, projectId: string, newOwner: string): Promise<void> {
    await tx.updateTable('projects.members').set({ role: 'member' }).where('project_id', '=', projectId).where('role', '=', 'owner').execute();
    await tx.updateTable('projects.members').set({ role: 'owner' }).where('project_id', '=', projectId).where('user_id', '=', newOwner).execute();
  }

  /** Records or replaces a rating and recomputes the project's average (the project row is locked by the caller). */
  async rate(tx: Transaction<ProjectsDb>, projectId: string, userId: string, score: number): Promise<void> {
    await tx
      .insertInto('projects.ratings')
      .values({ project_id: projectId, user_id: userId, score })
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ score, rated_at: sql<Date>`now()` }))
      .execute();
    const totals = await tx
      .selectFrom('projects.ratings')
      .select([(eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.coalesce(eb.fn.sum<number>('score'), eb.lit(0)).as('sum')])
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const count = Number(totals.count);
    const sum = Number(totals.sum);
    await tx
      .updateTable('projects.projects')
      .set({ rating_count: count, rating_sum: sum, rating_avg: count > 0 ? sum / count : 0 })
      .where('id', '=', projectId)
      .execute();
  }

  /** The user's own scores for these projects, by project id. */
  async ratingsBy(userId: string, projectIds: string[]): Promise<Map<string, number>> {
    if (projectIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('projects.ratings')
      .select(['project_id', 'score'])
      .where('user_id', '=', userId)
      .where('project_id', 'in', projectIds)
      .execute();
    return new Map(rows.map((row) => [row.project_id, row.score]));
  }

  /** A project's stages in order. */
  async stages(projectId: string, db: Db = this.db): Promise<StageRow[]> {
    const rows = await db.selectFrom('projects.stages').selectAll().where('project_id', '=', projectId).orderBy('position').execute();
    return rows.map((r) => ({
      id: r.id,
      position: r.position,
      title: r.title,
      dueAt: r.due_at,
      status: r.status,
      submission: {
        commitSha: r.submission_commit,
        link: r.submission_link,
        note: r.submission_note,
        submittedAt: r.submitted_at,
        submittedBy: r.submitted_by,
      },
      feedback: r.feedback,
      reviewedAt: r.reviewed_at,
      reviewedBy: r.reviewed_by,
    }));
  }

  /** Appends a stage at the end of the list (the project row is locked by the caller). */
  async addStage(tx: Transaction<ProjectsDb>, projectId: string, stage: { title: string; dueAt: string | null }): Promise<string> {
    const { next } = await tx
      .selectFrom('projects.stages')
      .select((eb) => eb.fn.coalesce(eb.fn.max<number>('position'), eb.lit(0)).as('next'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const row = await tx
      .insertInto('projects.stages')
      .values({ project_id: projectId, position: Number(next) + 1, title: stage.title, due_at: stage.dueAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Changes a stage of this project; false when the project has no such stage. */
  async updateStage(
    tx: Transaction<ProjectsDb>,
    projectId: string,
    stageId: string,
    fields: {
      title?: string;
      due_at?: string | null;
      status?: StageStatus;
      submission_commit?: string | null;
      submission_link?: string | null;
      submission_note?: string | null;
      submitted_by?: string;
      feedback?: string | null;
      reviewed_by?: string;
    },
    stamp?: 'submitted_at' | 'reviewed_at',
  ): Promise<boolean> {
    const result = await tx
      .updateTable('projects.stages')
      .set({ ...fields, ...(stamp ? { [stamp]: sql<Date>`now()` } : {}) })
      .where('project_id', '=', projectId)
      .where('id', '=', stageId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteStage(tx: Transaction<ProjectsDb>, projectId: string, stageId: string): Promise<boolean> {
    const result = await tx.deleteFrom('projects.stages').where('project_id', '=', projectId).where('id', '=', stageId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
