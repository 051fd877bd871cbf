import { api } from './client.ts';

/** A team member of a project. */
export interface TeamMember {
  userId: string;
  username: string;
  role: 'owner' | 'member';
}

/** A stage's status. */
export type StageStatus = 'pending' | 'submitted' | 'accepted' | 'changes-requested';

/** A stage of a project; feedback is absent for classmates. */
export interface Stage {
  id: string;
  position: number;
  title: string;
  dueAt: string | null;
  status: StageStatus;
  submission: { commitSha: string | null; link: string | null; note: string | null; submittedAt: string | null } | null;
  feedback?: string | null;
  reviewedAt?: string | null;
}

/** How the caller relates to a project: its team, staff (the teacher or an admin) or a classmate. */
export type Viewer = 'owner' | 'member' | 'staff' | 'classmate';

/** A project as the API shows it to the caller. */
export interface Project {
  id: string;
  slug: string;
  name: string;
  description: string;
  repoUrl?: string;
  courseId: string;
  demoTaskId: string | null;
  /** Signed links to the processed demo video (one project's view only). */
  demo?: { processed: string; thumbnail: string } | null;
  team: TeamMember[];
  tags: string[];
  rating: { average: number | null; count: number; mine: number | null };
  stages?: Stage[];
  viewer: Viewer;
  createdAt: string;
  updatedAt: string;
}

/** A page of projects. */
export interface ProjectPage {
  data: Project[];
  nextCursor: string | null;
}

/** An environment variable without its value. */
export interface EnvVar {
  key: string;
  scope: string;
  hint: string;
  updatedAt: string;
}

/** A project's own database; `url` only for the team. */
export interface ProjectDatabase {
  databaseName: string;
  roleName: string;
  state: string;
  createdAt: string;
  url?: string;
}

/** Whether the viewer is on the project's team. */
export const onTeam = (viewer: Viewer): boolean => viewer === 'owner' || viewer === 'member';

/** Fetches one project as the caller sees it. */
export const fetchProject = (id: string): Promise<Project> => api<Project>(`/api/projects/${encodeURIComponent(id)}`);

/** The query key of one project; its panels invalidate it after a change. */
export const projectKey = (id: string) => ['project', id] as const;
