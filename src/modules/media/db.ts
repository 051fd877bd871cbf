import type { ColumnType, Kysely } from 'kysely';
import type { TaskStatus, VideoFacts } from './tasks.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: pg parses it on read; written as its JSON text. */
type Facts = ColumnType<VideoFacts | null, string | null | undefined, string | null>;

interface TasksTable {
  id: string;
  owner_id: string;
  title: string;
  status: ColumnType<TaskStatus, TaskStatus | undefined, TaskStatus>;
  progress: ColumnType<number, number | undefined, number>;
  error: string | null;
  source_url: string | null;
  original_type: string | null;
  idempotency_key: string | null;
  input: Facts;
  output: Facts;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

interface FileDeletionsTable {
  task_id: string;
  requested_at: Timestamp;
}

/** The media schema's tables, as Kysely sees them (the outbox is written through the platform). */
export interface MediaDb {
  'media.tasks': TasksTable;
  'media.file_deletions': FileDeletionsTable;
}

/** Kysely over the media schema (or a transaction of it). */
export type MediaKysely = Kysely<MediaDb>;
