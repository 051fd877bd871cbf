import type { Viewer } from './access.ts';
import type { MemberRole, StageStatus } from './db.ts';
import type { ProjectRow, StageRow } from './repository.ts';

/** A team member as shown. */
export interface TeamMember {
  userId: string;
  username: string;
  role: MemberRole;
}

/** A stage as shown; classmates get no feedback. */
export interface StageView {
  id: string;
  position: number;
  title: string;
  dueAt: string | null;
  status: StageStatus;
  submission: { commitSha: string | null; link: string | null; note: string | null; submittedAt: string | null } | null;
  feedback?: string | null;
  reviewedAt?: string | null;
}

/** A project as shown to one viewer. */
export interface ProjectView {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** Only for the team and staff. */
  repoUrl?: string;
  courseId: string;
  demoTaskId: string | null;
  /** Signed links to the processed demo video, for everyone who sees the project (one project's view only). */
  demo?: { processed: string; thumbnail: string } | null;
  team: TeamMember[];
  tags: string[];
  rating: { average: number | null; count: number; mine: number | null };
  stages?: StageView[];
  viewer: Viewer;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Shapes a stage for the viewer. */
export function stageView(s: StageRow, viewer: Viewer): StageView {
  const submitted = s.submission.submittedAt !== null;
  return {
    id: s.id,
    position: s.position,
    title: s.title,
    dueAt: iso(s.dueAt),
    status: s.status,
    submission: submitted
      ? { commitSha: s.submission.commitSha, link: s.submission.link, note: s.submission.note, submittedAt: iso(s.submission.submittedAt) }
      : null,
    ...(viewer === 'classmate' ? {} : { feedback: s.feedback, reviewedAt: iso(s.reviewedAt) }),
  };
}

/** Shapes a project for the viewer. */
export function projectView(
  p: ProjectRow,
  viewer: Viewer,
  extra: { team: TeamMember[]; tags: string[]; mine: number | null; stages?: StageRow[] },
): ProjectView {
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    description: p.description,
    ...(viewer === 'classmate' ? {} : { repoUrl: p.repoUrl }),
    courseId: p.courseId,
    demoTaskId: p.demoTaskId,
    team: extra.team,
    tags: extra.tags,
    rating: { average: p.ratingCount > 0 ? Math.round((p.ratingSum / p.ratingCount) * 100) / 100 : null, count: p.ratingCount, mine: extra.mine },
    ...(extra.stages ? { stages: extra.stages.map((s) => stageView(s, viewer)) } : {}),
    viewer,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
