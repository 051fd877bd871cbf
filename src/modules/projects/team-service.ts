import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { allow, RULES } from './access.ts';
import { change, visibleProject, type ProjectsDeps } from './deps.ts';
import { recordEvent } from './outbox.ts';
import type { TeamMember } from './views.ts';

/** The result of adding members, like academic's enrolments. */
export interface AddedMembers {
  added: TeamMember[];
  unknownEmails: string[];
  unknownUserIds: string[];
}

/** The team (members, ownership) and ratings of a project. */
export class TeamService {
  constructor(private readonly deps: ProjectsDeps) {}

  /** The team, owner first. */
  async members(caller: AuthUser, id: string): Promise<TeamMember[]> {
    const { project } = await visibleProject(this.deps, caller, { id });
    return this.team(project.id);
  }

  /**
   * Adds users by id or e-mail; unknown ones are reported, and a user not enrolled
   * in the project's course group refuses the whole request (422, nothing added).
   */
  async add(caller: AuthUser, id: string, input: { userIds?: string[] | undefined; emails?: string[] | undefined }): Promise<AddedMembers> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.addMembers, 'adding members');
    const emails = [...new Set((input.emails ?? []).map((e) => e.trim().toLowerCase()))];
    const [byEmail, byId] = await Promise.all([this.deps.users.byEmails(emails), this.deps.users.byIds(input.userIds ?? [])]);
    const unknownEmails = emails.filter((e) => !byEmail.has(e));
    const unknownUserIds = [...new Set(input.userIds ?? [])].filter((uid) => !byId.has(uid));
    const found = new Map([...byEmail.values(), ...byId.values()].map((u) => [u.id, u]));
    const enrolled = await this.deps.access.enrolledAmong(project.courseId, [...found.keys()]);
    const outside = [...found.values()].filter((u) => !enrolled.has(u.id));
    if (outside.length > 0) {
      throw new HttpError(
        422,
        'not_enrolled',
        "team members must be enrolled in the project's course group",
        outside.map((u) => ({ field: 'userIds', message: `${u.id} is not enrolled` })),
      );
    }
    const addedIds = await change(this.deps, async (tx) => {
      await this.deps.repo.find({ id: project.id }, tx, true);
      const ids = await this.deps.repo.addMembers(tx, project.id, [...found.keys()]);
      if (ids.length > 0) await recordEvent(tx, 'project.updated', project.id);
      return ids;
    });
    return {
      added: addedIds.map((uid) => ({ userId: uid, username: found.get(uid)!.username, role: 'member' as const })),
      unknownEmails,
      unknownUserIds,
    };
  }

  /** Removes a member; the owner only, and never the owner themself (transfer first). */
  async remove(caller: AuthUser, id: string, userId: string): Promise<void> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.manageTeam, 'removing members');
    const role = await this.deps.repo.roleOf(project.id, userId);
    if (!role) throw new HttpError(404, 'not_found', 'no such member');
    if (role === 'owner') throw new HttpError(409, 'conflict', 'the owner cannot be removed; transfer ownership first');
    await change(this.deps, async (tx) => {
      await this.deps.repo.removeMember(tx, project.id, userId);
      await recordEvent(tx, 'project.updated', project.id);
    });
  }

  /** Makes a member the owner; the owner becomes a member. */
  async transfer(caller: AuthUser, id: string, userId: string): Promise<TeamMember[]> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.manageTeam, 'transferring ownership');
    const role = await this.deps.repo.roleOf(project.id, userId);
    if (!role) throw new HttpError(404, 'not_found', 'no such member');
    if (role === 'member') {
      await change(this.deps, async (tx) => {
        await this.deps.repo.find({ id: project.id }, tx, true);
        await this.deps.repo.transferOwnership(tx, project.id, userId);
        await recordEvent(tx, 'project.updated', project.id);
      });
    }
    return this.team(project.id);
  }

  /** Rates 1–5 (a second rating replaces the first); not for the project's own team. */
  async rate(caller: AuthUser, id: string, score: number): Promise<{ average: number; count: number; mine: number }> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.rate, 'rating (a team cannot rate its own project)');
    const row = await change(this.deps, async (tx) => {
      await this.deps.repo.find({ id: project.id }, tx, true); // serialises ratings of one project, so the totals stay exact
      await this.deps.repo.rate(tx, project.id, caller.id, score);
      return (await this.deps.repo.find({ id: project.id }, tx))!;
    });
    return { average: Math.round((row.ratingSum / row.ratingCount) * 100) / 100, count: row.ratingCount, mine: score };
  }

  private async team(projectId: string): Promise<TeamMember[]> {
    const members = (await this.deps.repo.teamsOf([projectId])).get(projectId)!;
    const users = await this.deps.users.byIds(members.map((m) => m.userId));
    return members.map((m) => ({ userId: m.userId, username: users.get(m.userId)?.username ?? '(deleted user)', role: m.role }));
  }
}
