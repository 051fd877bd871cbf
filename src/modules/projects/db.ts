import type { ColumnType, Generated, Kysely } from 'kysely';
import type { ProjectChanged } from './events.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** A stage's review state. */
export type StageStatus = 'pending' | 'submitted' | 'accepted' | 'changes-requested';
/** When an environment variable is visible to the app. */
export type EnvScope = 'runtime' | 'build';
/** A team member's role. */
export type MemberRole = 'owner' | 'member';

interface ProjectsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  repo_url: ColumnType<string, string | undefined, string>;
  course_id: string;
  demo_task_id: ColumnType<string | null, string | null | undefined, string | null>;
  rating_count: Generated<number>;
  rating_sum: Generated<number>;
  rating_avg: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface MembersTable {
  project_id: string;
  user_id: string;
  role: MemberRole;
  added_at: Timestamp;
}

interface StagesTable {
  id: Generated<string>;
  project_id: string;
  position: number;
  title: string;
  due_at: NullableTimestamp;
  status: ColumnType<StageStatus, StageStatus | undefined, StageStatus>;
  submission_commit: ColumnType<string | null, string | null | undefined, string | null>;
  submission_link: ColumnType<string | null, string | null | undefined, string | null>;
  submission_note: ColumnType<string | null, string | null | undefined, string | null>;
  submitted_at: NullableTimestamp;
  submitted_by: ColumnType<string | null, string | null | undefined, string | null>;
  feedback: ColumnType<string | null, string | null | undefined, string | null>;
  reviewed_at: NullableTimestamp;
  reviewed_by: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

interface TagsTable {
  project_id: string;
  course_id: string;
  tag: string;
}

interface RatingsTable {
  project_id: string;
  user_id: string;
  score: number;
  rated_at: Timestamp;
}

interface EnvVarsTable {
  project_id: string;
  key: string;
  scope: EnvScope;
  sealed: Buffer;
  key_id: string;
  hint: string;
  updated_at: Timestamp;
}

interface DatabasesTable {
  project_id: string;
  database_name: string;
  role_name: string;
  sealed_password: Buffer;
  key_id: string;
  state: 'creating' | 'ready' | 'dropping';
  created_at: Timestamp;
}

interface OutboxTable {
  seq: Generated<number>;
  type: ProjectChanged['eventName'];
  payload: ColumnType<Record<string, string>, string, string>;
  created_at: Timestamp;
  published_at: NullableTimestamp;
}

/** The projects schema's tables, as Kysely sees them. */
export interface ProjectsDb {
  'projects.projects': ProjectsTable;
  'projects.members': MembersTable;
  'projects.stages': StagesTable;
  'projects.tags': TagsTable;
  'projects.ratings': RatingsTable;
  'projects.env_vars': EnvVarsTable;
  'projects.databases': DatabasesTable;
  'projects.outbox': OutboxTable;
}

/** Kysely over the projects schema (or a transaction of it). */
export type ProjectsKysely = Kysely<ProjectsDb>;
