import type { ColumnType, Generated, Kysely } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

interface SubjectsTable {
  code: string;
  name: string;
}

interface CoursesTable {
  id: Generated<string>;
  subject_code: string;
  year: number;
  period: 1 | 2;
  group_label: string;
  teacher_id: string;
  created_at: CreatedAt;
}

interface EnrolmentsTable {
  course_id: string;
  student_id: string;
  enrolled_at: CreatedAt;
}

interface AssignmentsTable {
  id: Generated<string>;
  course_id: string;
  title: string;
  due_at: ColumnType<Date, Date | string, Date | string>;
  created_at: CreatedAt;
}

interface GradesTable {
  assignment_id: string;
  student_id: string;
  /** numeric(7, 2): read as text by pg, so queries cast it to float8. */
  grade: ColumnType<string, number, number>;
  submitted_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  on_time: boolean;
  graded_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The academic schema's tables, as Kysely sees them. */
export interface AcademicDb {
  'academic.subjects': SubjectsTable;
  'academic.courses': CoursesTable;
  'academic.enrolments': EnrolmentsTable;
  'academic.assignments': AssignmentsTable;
  'academic.grades': GradesTable;
}

/** Kysely over the academic schema (or a transaction of it). */
export type AcademicKysely = Kysely<AcademicDb>;
