import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import { allow, RULES } from './access.ts';
import { change, visibleProject, type ProjectsDeps } from './deps.ts';
import { recordEvent } from './outbox.ts';
import { stageView, type StageView } from './views.ts';

const noStage = () => new HttpError(404, 'not_found', 'stage not found');

/** A project's stages: the ordered list, the team's submissions and the teacher's reviews. */
export class StageService {
  constructor(private readonly deps: ProjectsDeps) {}

  /** The stages in order (without feedback for classmates). */
  async list(caller: AuthUser, id: string): Promise<StageView[]> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    return (await this.deps.repo.stages(project.id)).map((s) => stageView(s, viewer));
  }

  /** Appends a stage; the team or the course's teacher. */
  async add(caller: AuthUser, id: string, input: { title: string; dueAt?: string | null | undefined }): Promise<StageView> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.editStages, 'changing stages');
    const stageId = await change(this.deps, async (tx) => {
      await this.deps.repo.find({ id: project.id }, tx, true); // one writer picks the next position at a time
      const created = await this.deps.repo.addStage(tx, project.id, { title: input.title, dueAt: input.dueAt ?? null });
      await recordEvent(tx, 'project.updated', project.id);
      return created;
    });
    return this.one(project.id, stageId, viewer);
  }

  /** Renames a stage or moves its due date. */
  async update(caller: AuthUser, id: string, stageId: string, input: { title?: string | undefined; dueAt?: string | null | undefined }): Promise<StageView> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.editStages, 'changing stages');
    if (!isUuid(stageId)) throw noStage();
    const found = await change(this.deps, async (tx) => {
      const ok = await this.deps.repo.updateStage(tx, project.id, stageId, {
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.dueAt !== undefined ? { due_at: input.dueAt } : {}),
      });
      if (ok) await recordEvent(tx, 'project.updated', project.id);
      return ok;
    });
    if (!found) throw noStage();
    return this.one(project.id, stageId, viewer);
  }

  /** Removes a stage. */
  async remove(caller: AuthUser, id: string, stageId: string): Promise<void> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.editStages, 'changing stages');
    if (!isUuid(stageId)) throw noStage();
    const found = await change(this.deps, async (tx) => {
      const ok = await this.deps.repo.deleteStage(tx, project.id, stageId);
      if (ok) await recordEvent(tx, 'project.updated', project.id);
      return ok;
    });
    if (!found) throw noStage();
  }

  /** The team submits a stage (a commit, a link and/or a note); an accepted stage is final. */
  async submit(
    caller: AuthUser,
    id: string,
    stageId: string,
    input: { commitSha?: string | undefined; link?: string | undefined; note?: string | undefined },
  ): Promise<StageView> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    if (!isUuid(stageId)) throw noStage();
    const stage = (await this.deps.repo.stages(project.id)).find((s) => s.id === stageId);
    if (!stage) throw noStage();
    allow(viewer, RULES.submit, 'submitting a stage');
    if (!input.commitSha && !input.link && !input.note)
      throw new HttpError(400, 'validation_failed', 'the request is invalid', [{ field: 'body', message: 'give a commitSha, a link or a note' }]);
    if (stage.status === 'accepted') throw new HttpError(409, 'conflict', 'this stage is already accepted');
    await change(this.deps, async (tx) => {
      await this.deps.repo.updateStage(
        tx,
        project.id,
        stageId,
        {
          status: 'submitted',
          submission_commit: input.commitSha ?? null,
          submission_link: input.link ?? null,
          submission_note: input.note ?? null,
          submitted_by: caller.id,
        },
        'submitted_at',
      );
      await recordEvent(tx, 'project.updated', project.id);
    });
    return this.one(project.id, stageId, viewer);
  }

  /** The course's teacher (or an admin) accepts a submitted stage or asks for changes. */
  async review(
    caller: AuthUser,
    id: string,
    stageId: string,
    input: { status: 'accepted' | 'changes-requested'; feedback?: string | undefined },
  ): Promise<StageView> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    if (!isUuid(stageId)) throw noStage();
    const stage = (await this.deps.repo.stages(project.id)).find((s) => s.id === stageId);
    if (!stage) throw noStage();
    allow(viewer, RULES.review, 'reviewing a stage');
    if (stage.status !== 'submitted') throw new HttpError(409, 'conflict', `only a submitted stage can be reviewed; this one is ${stage.status}`);
    await change(this.deps, async (tx) => {
      await this.deps.repo.updateStage(
        tx,
        project.id,
        stageId,
        { status: input.status, feedback: input.feedback ?? null, reviewed_by: caller.id },
        'reviewed_at',
      );
      await recordEvent(tx, 'project.updated', project.id);
    });
    return this.one(project.id, stageId, viewer);
  }

  private async one(projectId: string, stageId: string, viewer: Parameters<typeof stageView>[1]): Promise<StageView> {
    const stage = (await this.deps.repo.stages(projectId)).find((s) => s.id === stageId);
    if (!stage) throw noStage();
    return stageView(stage, viewer);
  }
}
