import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import type { EnrolmentLookup } from '../academic/enrolment-lookup.ts';
import type { MemberRole } from './db.ts';

/**
 * How the caller relates to a project. The one rule of this module: a project the
 * caller may not know exists is a 404; a known project the caller may not change is a 403.
 * - owner/member: its team; sees everything but secret values, edits it.
 * - staff: the course group's teacher or an admin; sees everything but secret values, reviews stages.
 * - classmate: another student of the course group; sees the public part, may rate.
 */
export type Viewer = MemberRole | 'staff' | 'classmate';

/** Decides who sees and changes what; every route asks here. */
export class ProjectAccess {
  constructor(private readonly academic: EnrolmentLookup) {}

  /** The caller's relation to the project, or a 404 when they may not know it exists. */
  async viewer(caller: AuthUser, project: { courseId: string }, teamRole: MemberRole | undefined): Promise<Viewer> {
    if (teamRole) return teamRole;
    if (await this.isStaff(caller, project.courseId)) return 'staff';
    if ((await this.academic.enrolledAmong(project.courseId, [caller.id])).has(caller.id)) return 'classmate';
    throw notFound();
  }

  /** How the caller sees every project of a course group they are not on the team of; 404 when they may not see the group. */
  async courseViewer(caller: AuthUser, courseId: string): Promise<'staff' | 'classmate'> {
    if (await this.isStaff(caller, courseId)) return 'staff';
    if ((await this.academic.enrolledAmong(courseId, [caller.id])).has(caller.id)) return 'classmate';
    throw new HttpError(404, 'not_found', 'course group not found');
  }

  /** The course groups whose projects the caller may list and those they teach; undefined for admins (all, as staff). */
  async visibleCourses(caller: AuthUser): Promise<{ all: string[]; teaches: Set<string> } | undefined> {
    if (caller.role === 'admin') return undefined;
    const { enrolled, teaches } = await this.academic.coursesOf(caller.id);
    return { all: [...new Set([...enrolled, ...teaches])], teaches: new Set(teaches) };
  }

  /** Those of the users enrolled in the course group (team members must be). */
  async enrolledAmong(courseId: string, userIds: string[]): Promise<Set<string>> {
    return this.academic.enrolledAmong(courseId, userIds);
  }

  /** Whether the caller may create a project in the course group: enrolled in it or its teacher. */
  async mayCreateIn(caller: AuthUser, courseId: string): Promise<'yes' | 'unknown-course' | 'not-enrolled'> {
    const teacher = await this.academic.teacherOf(courseId);
    if (teacher === undefined) return 'unknown-course';
    if (teacher === caller.id || (await this.academic.enrolledAmong(courseId, [caller.id])).has(caller.id)) return 'yes';
    return caller.role === 'admin' ? 'not-enrolled' : 'unknown-course';
  }

  private async isStaff(caller: AuthUser, courseId: string): Promise<boolean> {
    return caller.role === 'admin' || (await this.academic.teacherOf(courseId)) === caller.id;
  }
}

/** The 404 for a project the caller may not see (the same as for one that does not exist). */
export const notFound = (): HttpError => new HttpError(404, 'not_found', 'project not found');

/** 403 unless the viewer is one of `allowed`; `what` says what was refused. */
export function allow(viewer: Viewer, allowed: readonly Viewer[], what: string): void {
  if (!allowed.includes(viewer)) throw new HttpError(403, 'forbidden', `${what} is not allowed for you on this project`);
}

/** Who may do what, by action. */
export const RULES = {
  edit: ['owner', 'member'],
  manageTeam: ['owner'],
  addMembers: ['owner', 'member'],
  delete: ['owner'],
  editStages: ['owner', 'member', 'staff'],
  submit: ['owner', 'member'],
  review: ['staff'],
  rate: ['staff', 'classmate'],
  readEnv: ['owner', 'member', 'staff'],
  writeEnv: ['owner', 'member'],
  databaseUrl: ['owner', 'member'],
  readDatabase: ['owner', 'member', 'staff'],
} as const satisfies Record<string, Viewer[]>;
