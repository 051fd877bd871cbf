import type { ColumnType, Kysely } from 'kysely';

interface GradesTable {
  student_id: string;
  course_id: string;
  /** '' for a grade that belongs to no assignment. */
  assignment_id: string;
  /** numeric(7, 2): read as text by pg, so queries cast it to float8. */
  grade: ColumnType<string, number, number>;
  on_time: boolean | null;
  graded_at: ColumnType<Date, string, string>;
  /** '' for assignment grades; the caller's or a generated id for direct ones. */
  event_id: string;
}

/** The stats schema's tables, as Kysely sees them (the outbox is written through the platform). */
export interface StatsDb {
  'stats.grades': GradesTable;
}

/** Kysely over the stats schema. */
export type StatsKysely = Kysely<StatsDb>;
