/** A grade given or changed: the event academic emits (`grade.recorded`) and stats consumes; consumers import this type. */
export interface GradeRecorded {
  studentId: string;
  courseId: string;
  /** Empty string when the grade belongs to no assignment (direct writes). */
  assignmentId: string;
  /** With no assignment: what tells this grade apart from the student's other grades in the course (absent or '' otherwise). */
  eventId?: string;
  grade: number;
  onTime: boolean | null;
  /** ISO 8601; a replay older than what stats holds changes nothing. */
  gradedAt: string;
}
