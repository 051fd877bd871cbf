import type { Assignment, Grade } from './repository.ts';

/** An assignment as the API sends it. */
export interface AssignmentView {
  id: string;
  courseId: string;
  title: string;
  dueAt: string;
}

/** The view of an assignment row. */
export const assignmentView = (a: Assignment): AssignmentView => ({ id: a.id, courseId: a.courseId, title: a.title, dueAt: a.dueAt.toISOString() });

/** A grade as the API sends it. */
export const gradeView = (g: Grade) => ({
  assignmentId: g.assignmentId,
  courseId: g.courseId,
  studentId: g.studentId,
  grade: g.grade,
  submittedAt: g.submittedAt?.toISOString() ?? null,
  onTime: g.onTime,
  gradedAt: g.gradedAt.toISOString(),
});
